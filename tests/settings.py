"""Settings of the test suite (DJANGO_SETTINGS_MODULE in pyproject.toml): the project's, with DEBUG=1 defaults.

mto.settings defaults to production (secure cookies, https redirect, manifest static files, a required
SECRET_KEY). The tests talk plain http to the test client, the live server and the subprocesses they start
(which inherit this environment), so they take the development defaults; pytest-django still runs each test
with settings.DEBUG false, as Django's own test runner does.
"""

import os

os.environ["DEBUG"] = "1"

from mto.settings import *  # noqa: E402, F403

# Planning: no schedule run after every approval or hold in the suite (tests that want it turn it on); short
# solver runs.
PLANNING_AFTER_EVENTS = False
PLANNING_SOLVER_SECONDS = 2

# Quality: no first-article requirement on the jobs the suite makes (its own tests turn it on: the fixture
# first_article_on in tests/quality), as planning's event runs above.
QUALITY_FIRST_ARTICLE = False
