# Two commands for a fresh machine (each sets up .venv/ first if needed):
#   make train   train on the shipped data (python main.py)
#   make test    run the test suite (make test-fast: without the tests marked slow)
#   make scale   add Apache Beam for batch_predict.py (requirements-scale.txt)
#   make browser install Chromium for the report's screenshot tests (Debian, root)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup train test test-fast scale browser
setup: $(STAMP)

# bert4keras 0.11.5 pins keras<=2.3.1, which no TensorFlow 2 can satisfy, so it
# goes in without its dependencies; it runs on tf-keras (see utils/compat.py).
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps bert4keras==0.11.5
	touch $(STAMP)

train: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	$(PY) -m pytest -q tests

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

SCALE_STAMP := $(VENV)/.installed-scale
scale: $(SCALE_STAMP)

$(SCALE_STAMP): $(STAMP) requirements-scale.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-scale.txt
	touch $(SCALE_STAMP)

# Headless Chromium for utils/screenshot.py and its tests (skipped without it);
# a Debian package, so it needs root. CI runs this before make test.
browser:
	command -v chromium >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
