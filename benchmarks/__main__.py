"""``python -m benchmarks``: see benchmarks/README.md."""
import sys

from benchmarks.bench import main

sys.exit(main())
