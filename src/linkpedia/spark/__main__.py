"""``linkpedia spark ...`` as a script, for ``spark-submit`` (which runs files, not commands).

    spark-submit --master yarn "$(python -c 'import linkpedia.spark.__main__ as m; print(m.__file__)')" \\
        link --kb enwiki-kb --input hdfs:///crawl/docs.jsonl --output hdfs:///crawl/linked

The session spark-submit starts is the one the job uses: its master, memory
and Python environment win over ``--master``.
"""

from __future__ import annotations

import sys


def main() -> None:
    from linkpedia.cli import cli

    cli.main(args=["spark", *sys.argv[1:]], prog_name="linkpedia")


if __name__ == "__main__":
    main()
