"""The one table bench/run prints and writes: a row per measure, a column per store."""
import os

# RESULTS.md's hand-written reading of the numbers starts at this heading; a new run keeps it, so
# re-measuring never deletes the analysis (its figures are those of the run it names).
NOTES_HEADING = "## Reading these numbers"


class Table:
    def __init__(self, stores):
        self.stores = stores
        self.rows = {}  # measure -> {"target": str, "cells": {store: (value, met)}}, in first-seen order

    def row_for(self, store):
        """A `row(name, value, target="", met="")` function that fills `store`'s column."""
        def row(name, value, target="", met=""):
            entry = self.rows.setdefault(name, {"target": target, "cells": {}})
            entry["target"] = entry["target"] or target
            entry["cells"][store] = (value, met)
        return row

    def markdown(self):
        lines = ["| measure | " + " | ".join(self.stores) + " | target | met (" + " / ".join(self.stores) + ") |",
                 "|---|" + "---|" * len(self.stores) + "---|---|"]
        for name, entry in self.rows.items():
            cells = [entry["cells"].get(store, ("", "")) for store in self.stores]
            met = " / ".join(m or "–" for _, m in cells) if any(m for _, m in cells) else ""
            lines.append(f"| {name} | " + " | ".join(v.replace("|", "\\|") for v, _ in cells) + f" | {entry['target']} | {met} |")
        return "\n".join(lines)

    def write(self, path, header):
        """Writes header lines, the table, and the notes of the previous RESULTS.md if it had any."""
        notes = ""
        if os.path.exists(path):
            text = open(path).read()
            if NOTES_HEADING in text:
                notes = "\n" + text[text.index(NOTES_HEADING):]
        with open(path, "w") as f:
            f.write("\n".join(header) + "\n" + self.markdown() + "\n" + notes)
