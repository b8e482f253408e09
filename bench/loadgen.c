// loadgen: a small HTTP/1.1 load generator for braind's Unix socket, built by bench/run.
//
// Why not h2load alone: h2load walks its URI list from the start on every connection, so with
// 64 connections the 64 first requests all name the same owner, and 63 of them are `unchanged`
// saves that write nothing. A durable-save figure needs every request to write, so this client
// gives each request its own owner (a fresh RUT). It is shaped like h2load (C, one thread, epoll,
// keep-alive, one request in flight per connection) and bench/run measures ping with both, so the
// two can be compared; it also records every request's latency, which h2load's summary lacks.
//
// Usage: loadgen SOCKET ping|save|batch CONNECTIONS SECONDS [WARMUP_SECONDS [RUT_BASE [LATENCY_LOG]]]
// Prints one JSON object: requests, seconds, rate, mean/p50/p99/p99.9/max in ms, non-2xx, errors.
// LATENCY_LOG gets a line per request: its end (CLOCK_MONOTONIC ns, the clock of Python's
// time.monotonic_ns) and its latency in us, so a caller can tell which requests overlapped an
// event it timed itself. SIGTERM or SIGINT ends the window early, still printing and logging:
// bench/run stops a run it sized generously once the event it measures around is over.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    char out[16384];
    size_t out_len, out_off;
    char in[16384];
    size_t in_len;
    uint64_t started_ns;
};

static const char *sock_path;
static int save_mode; // 0 ping, 1 one memory, 100 a batch of 100 memories
static long rut_next;
static volatile sig_atomic_t stopping;
static uint32_t *lat_us;  // every request's latency in the window, in us
static uint64_t *end_ns;  // and its end, kept only for the latency log
static size_t cap = 1 << 20, count;

static void stop(int sig) {
    (void)sig;
    stopping = 1;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// The modulo-11 check digit braind verifies (identity.verify_rut_check_digit).
static char rut_check_digit(long body) {
    int sum = 0, factor = 2;
    for (; body > 0; body /= 10) {
        sum += (int)(body % 10) * factor;
        factor = factor == 7 ? 2 : factor + 1;
    }
    int digit = 11 - sum % 11;
    return digit == 11 ? '0' : digit == 10 ? 'k' : (char)('0' + digit);
}

static void build_request(struct conn *c) {
    if (!save_mode) {
        c->out_len = (size_t)snprintf(c->out, sizeof c->out, "GET /v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
    } else {
        long body = rut_next++;
        char json[12288];
        int n = snprintf(json, sizeof json, "{\"memories\":[");
        for (int i = 0; i < save_mode; i++)
            n += snprintf(json + n, sizeof json - (size_t)n,
                          "%s{\"slug\":\"fact_%d\",\"category\":\"bench\",\"content\":\"regimen propyme memory %ld item %d\"}",
                          i ? "," : "", i, body, i);
        n += snprintf(json + n, sizeof json - (size_t)n, "]}");
        c->out_len = (size_t)snprintf(c->out, sizeof c->out,
                                      "POST /v1/companies/%ld%c/memories HTTP/1.1\r\nHost: localhost\r\n"
                                      "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                                      body, rut_check_digit(body), n, json);
    }
    c->out_off = 0;
    c->in_len = 0;
}

static int open_conn(struct conn *c) {
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, sock_path, sizeof addr.sun_path - 1);
    // A Unix socket connects at once or fails; no EINPROGRESS to wait for in practice.
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0) return -1;
    return 0;
}

// Returns the response's total length once it is complete in c->in, 0 while incomplete, and sets
// *status. Bodies are Content-Length framed, or chunked (ends with an empty chunk).
static size_t response_length(struct conn *c, int *status) {
    c->in[c->in_len] = 0;
    char *end = strstr(c->in, "\r\n\r\n");
    if (!end) return 0;
    size_t header_len = (size_t)(end - c->in) + 4;
    *status = atoi(c->in + 9);
    for (char *line = strstr(c->in, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "content-length:", 15) == 0) {
            size_t total = header_len + (size_t)strtoul(line + 17, NULL, 10);
            return c->in_len >= total ? total : 0;
        }
    }
    char *last = strstr(end + 4, "0\r\n\r\n");
    return last ? (size_t)(last - c->in) + 5 : 0;
}

static void record(uint64_t done, uint64_t started) {
    if (count == cap) {
        cap *= 2;
        lat_us = realloc(lat_us, cap * sizeof *lat_us);
        if (end_ns) end_ns = realloc(end_ns, cap * sizeof *end_ns);
    }
    if (end_ns) end_ns[count] = done;
    lat_us[count++] = (uint32_t)((done - started) / 1000);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: loadgen SOCKET ping|save|batch CONNECTIONS SECONDS [WARMUP [RUT_BASE [LATENCY_LOG]]]\n");
        return 2;
    }
    sock_path = argv[1];
    save_mode = strcmp(argv[2], "save") == 0 ? 1 : strcmp(argv[2], "batch") == 0 ? 100 : 0;
    int nconn = atoi(argv[3]);
    double seconds = atof(argv[4]), warmup = argc > 5 ? atof(argv[5]) : 1.0;
    rut_next = argc > 6 ? atol(argv[6]) : 10000000;
    const char *log_path = argc > 7 ? argv[7] : NULL;

    int ep = epoll_create1(0);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    lat_us = malloc(cap * sizeof *lat_us);
    end_ns = log_path ? malloc(cap * sizeof *end_ns) : NULL;
    long non2xx = 0, errors = 0;
    uint64_t t0 = now_ns(), window_start = t0 + (uint64_t)(warmup * 1e9), window_end = window_start + (uint64_t)(seconds * 1e9);

    for (int i = 0; i < nconn; i++) {
        if (open_conn(&conns[i]) != 0) { perror("connect"); return 1; }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        build_request(&conns[i]);
        conns[i].started_ns = now_ns();
        if (write(conns[i].fd, conns[i].out, conns[i].out_len) != (ssize_t)conns[i].out_len) { perror("write"); return 1; }
    }
    // No SA_RESTART: the signal interrupts epoll_wait, so the loop sees it at once.
    struct sigaction sa = {.sa_handler = stop};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct epoll_event events[256];
    uint64_t t;
    for (;;) {
        t = now_ns();
        if (t >= window_end || stopping) break;
        int n = epoll_wait(ep, events, 256, 100);
        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            ssize_t got = read(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) continue;
                errors++;
                close(c->fd);
                if (open_conn(c) != 0) { perror("reconnect"); return 1; }
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
                build_request(c);
            } else {
                c->in_len += (size_t)got;
                int status = 0;
                if (response_length(c, &status) == 0) continue;
                uint64_t done = now_ns();
                if (done >= window_start && done < window_end) {
                    if (status < 200 || status > 299) non2xx++;
                    record(done, c->started_ns);
                }
                build_request(c);
            }
            c->started_ns = now_ns();
            ssize_t put = write(c->fd, c->out, c->out_len);
            if (put != (ssize_t)c->out_len) { perror("write"); return 1; }
        }
    }
    // A request still waiting when the run is stopped is counted as ending then (its latency a
    // lower bound): otherwise a stall longer than the rest of the run would vanish from it.
    for (int i = 0; stopping && i < nconn && t >= window_start; i++) record(t, conns[i].started_ns);
    if (log_path) {
        FILE *f = fopen(log_path, "w");
        for (size_t i = 0; i < count; i++) fprintf(f, "%llu %u\n", (unsigned long long)end_ns[i], lat_us[i]);
        fclose(f);
    }
    // A run stopped early was measured only until it stopped.
    if (t < window_end) seconds = t > window_start ? (double)(t - window_start) / 1e9 : 0;
    double sum = 0;
    for (size_t i = 0; i < count; i++) sum += lat_us[i];
    qsort(lat_us, count, sizeof *lat_us, cmp_u32);
#define PCT(p) (count ? lat_us[(size_t)((double)(count - 1) * (p))] / 1000.0 : 0)
    printf("{\"requests\": %zu, \"seconds\": %.3f, \"rate\": %.1f, \"mean_ms\": %.4f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"non2xx\": %ld, \"errors\": %ld, \"next_rut\": %ld}\n",
           count, seconds, seconds > 0 ? count / seconds : 0, count ? sum / count / 1000.0 : 0, PCT(0.50), PCT(0.99), PCT(0.999), PCT(1.0),
           non2xx, errors, rut_next);
    return 0;
}
