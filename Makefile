# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

.PHONY: demo demo-down drill test venv controlplane addons postgres sanity lint pytest bench clean

demo: venv controlplane addons ## build or reuse everything, converge the local zone with site.yml, print a report
	@bash hack/demo.sh

demo-down: venv controlplane ## stop the demo zone (its state stays; `make demo` starts it again)
	@AIZONE_CONTROLPLANE_BIN=$$(cat .build/controlplane-bin) $(BIN)/python hack/localzone.py down aizone-local

drill: venv controlplane addons ## a DR drill: two local zones, back up the primary, delete it, fail over, compare
	@mkdir -p .build/collections/ansible_collections/aizone && ln -sfn $(CURDIR) .build/collections/ansible_collections/aizone/platform
	@AIZONE_CONTROLPLANE_BIN=$$(cat .build/controlplane-bin) AIZONE_ADDONS_DIR=$$(cat .build/addons-dir) \
		$(BIN)/python hack/drill.py $(ARGS)

test: venv controlplane addons postgres ## sanity, ansible-lint (production), unit and integration tests
	@bash hack/test.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@echo "[setup] creating $(VENV) and installing the pinned dependencies (uv $(UV_VERSION))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.txt
	@touch $@

controlplane: ## build (first time) or reuse the control plane binaries
	@mkdir -p .build
	@bash hack/controlplane/build.sh > .build/controlplane-bin.new && mv .build/controlplane-bin.new .build/controlplane-bin

addons: venv ## build (first time) or reuse the add-ons' files from their pinned packages (KubeRay operator, CRDs)
	@mkdir -p .build
	@bash hack/addons/build.sh $(BIN)/python > .build/addons-dir.new && mv .build/addons-dir.new .build/addons-dir

postgres: ## install Debian's postgresql where missing (server binaries for the MLOps tests)
	@bash hack/postgres.sh

sanity: venv
	@bash hack/sanity.sh

lint: venv
	@ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(BIN)/ansible-lint --profile production

pytest: venv controlplane addons postgres
	@AIZONE_CONTROLPLANE_BIN=$$(cat .build/controlplane-bin) AIZONE_ADDONS_DIR=$$(cat .build/addons-dir) \
		$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf .build
