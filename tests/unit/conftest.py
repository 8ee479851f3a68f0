import sys
from pathlib import Path

# Helpers such as cloudfake live next to the tests.
sys.path.insert(0, str(Path(__file__).parent))
