import os
import sys

# Shared helpers (tests/lib) for every integration test.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
