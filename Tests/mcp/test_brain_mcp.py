"""The official Python MCP client (PyPI `mcp`) drives `brain mcp` against a real braind.

Each test starts its own braind on a temporary socket and database. The binaries come from
BRAIND_BIN and BRAIN_BIN (default: .build/debug/). Run with scripts/mcp-python-tests.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]
BRAIND = os.environ.get("BRAIND_BIN", str(ROOT / ".build/debug/braind"))
BRAIN = os.environ.get("BRAIN_BIN", str(ROOT / ".build/debug/brain"))

COMPANY = "12.345.678-5"
PERSON = "11.111.111-1"
TOOLS = {
    "search_user_memory", "search_company_memory", "save_user_memory", "save_company_memory",
    "get_memory", "list_memories", "delete_memory",
}


def http_over_socket(path: str, method: str, target: str, body: dict | None = None) -> tuple[int, dict]:
    """One HTTP/1.1 request to braind's Unix socket; returns the status and the JSON body."""
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(path)
        conn.sendall(head.encode() + b"\r\n" + payload)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    header, _, data = answer.partition(b"\r\n\r\n")
    status = int(header.split(b" ")[1])
    if b"transfer-encoding: chunked" in header.lower():
        data = dechunk(data)
    return status, json.loads(data) if data else {}


def dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


class Daemon:
    """A real braind on a temporary socket and database."""

    def __init__(self) -> None:
        # Socket paths must stay under 108 bytes: a short directory under /tmp.
        self.directory = tempfile.mkdtemp(prefix="bdpy-", dir="/tmp")
        self.socket = f"{self.directory}/run/braind.sock"
        env = {k: v for k, v in os.environ.items() if k not in ("MEM0_API_KEY", "BRAIND_CONFIG", "BRAIND_SOCKET")}
        env["XDG_CONFIG_HOME"] = f"{self.directory}/no-config"
        self.log = open(f"{self.directory}/braind.log", "w")
        self.process = subprocess.Popen(
            [BRAIND, "--socket", self.socket, "--db", f"{self.directory}/data/brain.sqlite"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if http_over_socket(self.socket, "GET", "/v1/ping")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, f"braind exited: {Path(self.log.name).read_text()}"
            time.sleep(0.02)
        raise TimeoutError("braind did not answer a ping")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def close(self) -> None:
        self.stop()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def has_search_route(self) -> bool:
        """Whether this braind serves /v1/search (a 404 route_not_found means not yet)."""
        status, body = http_over_socket(
            self.socket, "POST", "/v1/search", {"q": "x", "owner": COMPANY, "brain": "company", "mode": "local"})
        return not (status == 404 and body.get("error", {}).get("code") == "route_not_found")


@pytest.fixture
def daemon():
    started = Daemon()
    yield started
    started.close()


@asynccontextmanager
async def brain_mcp(daemon: Daemon):
    """`brain mcp --socket SOCK` spawned by the official client, initialized."""
    params = StdioServerParameters(
        command=BRAIN, args=["mcp", "--socket", daemon.socket, "--log-level", "debug"],
        env={"XDG_CONFIG_HOME": f"{daemon.directory}/no-config"})
    with open(f"{daemon.directory}/brain-mcp.log", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def run(coroutine):
    return asyncio.run(coroutine)


def test_lists_the_seven_tools_with_schemas(daemon):
    async def scenario():
        async with brain_mcp(daemon) as session:
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                assert "RUT" in tool.description
                schema = tool.input_schema
                assert schema["type"] == "object" and schema["additionalProperties"] is False
                assert "owner" in schema["required"]
            assert tools["search_user_memory"].input_schema["properties"]["mode"]["enum"] == ["auto", "local", "remote"]
            assert tools["delete_memory"].input_schema["properties"]["brain"]["enum"] == ["company", "user"]
            assert tools["get_memory"].input_schema["required"] == ["brain", "owner", "slug"]

    run(scenario())


def test_every_tool_against_a_real_daemon(daemon):
    async def scenario():
        async with brain_mcp(daemon) as session:
            saved = await session.call_tool("save_company_memory", {
                "owner": COMPANY, "slug": "company_tax_regime", "category": "company_tax",
                "content": "Régimen tributario: ProPyme General", "metadata": {"source": "onboarding"}})
            assert not saved.is_error, text(saved)
            assert "company_tax_regime: created" in text(saved)
            assert saved.structured_content["saved_count"] == 1

            batch = await session.call_tool("save_user_memory", {"owner": PERSON, "memories": [
                {"slug": "user_full_name", "category": "user_profile", "content": "Nombre completo: Juan Pérez"},
                {"slug": "user_language", "content": "Prefiere respuestas en español"}]})
            assert not batch.is_error and batch.structured_content["saved_count"] == 2

            found = await session.call_tool(
                "search_company_memory", {"owner": COMPANY, "query": "regimen propyme", "mode": "local"})
            people = await session.call_tool("search_user_memory", {"owner": PERSON, "query": "nombre completo", "limit": 5})
            if daemon.has_search_route():
                assert not found.is_error, text(found)
                assert "Régimen tributario: ProPyme General" in text(found)
                assert found.structured_content["results"][0]["memory"]["slug"] == "company_tax_regime"
                assert not people.is_error and "company_tax_regime" not in text(people)
            else:
                # braind without the search route: the tool reports braind's 404 as a tool error.
                for result in (found, people):
                    assert result.is_error
                    assert "no route for POST /v1/search" in text(result)
                    assert result.structured_content["error"]["code"] == "route_not_found"

            got = await session.call_tool("get_memory", {"brain": "company", "owner": "123456785", "slug": "company_tax_regime"})
            assert not got.is_error
            assert got.structured_content["content"] == "Régimen tributario: ProPyme General"
            assert got.structured_content["metadata"] == {"source": "onboarding"}

            listed = await session.call_tool("list_memories", {"brain": "user", "owner": PERSON, "limit": 1})
            assert [m["slug"] for m in listed.structured_content["memories"]] == ["user_full_name"]
            cursor = listed.structured_content["next_cursor"]
            more = await session.call_tool("list_memories", {"brain": "user", "owner": PERSON, "cursor": cursor})
            assert "user_language" in text(more)

            deleted = await session.call_tool("delete_memory", {"brain": "company", "owner": COMPANY, "slug": "company_tax_regime"})
            assert not deleted.is_error and text(deleted).startswith("Deleted company_tax_regime")
            gone = await session.call_tool("get_memory", {"brain": "company", "owner": COMPANY, "slug": "company_tax_regime"})
            assert gone.is_error and gone.structured_content["error"]["code"] == "memory_not_found"

    run(scenario())


def test_bad_arguments_are_tool_errors(daemon):
    async def scenario():
        async with brain_mcp(daemon) as session:
            cases = [
                ("get_memory", {"brain": "company", "owner": COMPANY}, "'slug' is required"),
                ("list_memories", {"brain": "user", "owner": COMPANY, "limit": "ten"}, "'limit' must be an integer"),
                ("save_user_memory", {"owner": COMPANY, "memories": "nope"}, "'memories' must be an array"),
                ("delete_memory", {"brain": "team", "owner": COMPANY, "slug": "x"}, "'brain' must be \"company\" or \"user\""),
                ("no_such_tool", {}, "Unknown tool 'no_such_tool'"),
            ]
            for name, arguments, message in cases:
                result = await session.call_tool(name, arguments)
                assert result.is_error, name
                assert message in text(result), text(result)
            invalid = await session.call_tool("save_company_memory", {"owner": "12.345.678-K", "slug": "a", "content": "b"})
            assert invalid.is_error and "HTTP 422, validation_failed" in text(invalid)

    run(scenario())


def test_stopped_daemon_is_a_tool_error(daemon):
    async def scenario():
        async with brain_mcp(daemon) as session:
            daemon.stop()
            result = await session.call_tool("list_memories", {"brain": "company", "owner": COMPANY})
            assert result.is_error
            assert f"braind is not running on {daemon.socket}" in text(result)
            assert len((await session.list_tools()).tools) == 7

    run(scenario())
