"""The farm moved to monitoring/farm.py (`manage.py loaddemo` serves it too). This
module keeps the old name working for `python -m monitoring.tests.farm`, which
bench/banner.py runs."""
from monitoring.farm import *  # noqa: F401,F403
from monitoring.farm import main

if __name__ == "__main__":
    main()
