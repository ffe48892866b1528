# Shortcuts for the two README commands; tasks.py does the work and needs only Python.
PYTHON ?= python3

.PHONY: demo test bench lint
demo:
	$(PYTHON) tasks.py demo
test:
	$(PYTHON) tasks.py test
bench:
	$(PYTHON) tasks.py bench
lint:
	$(PYTHON) tasks.py lint
