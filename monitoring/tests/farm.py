"""The farm moved to monitoring/farm.py (`manage.py loaddemo` and bench/banner.py run
it from there). This module keeps the old name working, for imports and for
`python -m monitoring.tests.farm`."""
from monitoring.farm import *  # noqa: F401,F403
from monitoring.farm import main

if __name__ == "__main__":
    main()
