"""Write `model/t2s-chars.txt`, the Traditional → Simplified character map the engine folds
Chinese with, from OpenCC's t2s conversion (Apache-2.0; `pip install opencc` to run this —
the product reads only the map).

    python -m voxloop.textanalytics.training.t2s_from_opencc
"""

from __future__ import annotations

from pathlib import Path


def main() -> None:
    import opencc

    convert = opencc.OpenCC("t2s").convert
    pairs = {}
    for code in range(0x3400, 0xA000):
        char = chr(code)
        simplified = convert(char)
        if simplified != char and len(simplified) == 1:
            pairs[char] = simplified
    out = Path(__file__).parents[1] / "model" / "t2s-chars.txt"
    out.write_text("".join(f"{t}{s}\n" for t, s in sorted(pairs.items())), "utf-8")
    print(f"{len(pairs)} characters → {out}")


if __name__ == "__main__":
    main()
