# Two entry points for a new user: `make book` and `make test`.
# Each one makes .venv and installs requirements.txt the first time.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test student models lab grade nbgrader bench-book vendor-js

# The book build: no progress bars in the pages.
BOOK_ENV := TQDM_DISABLE=1

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -r requirements.txt
	$(BIN)/python -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)"
	touch $(STAMP)

# nbgrader, an instructors' extra, in a venv of its own on top of .venv (a .pth file adds
# .venv's packages), so that its JupyterLab extensions stay out of the students' JupyterLab.
NBGRADER_VENV  := .venv-nbgrader
NBGRADER_STAMP := $(NBGRADER_VENV)/.installed
NBGRADER_VERSION := 0.9.6
$(NBGRADER_STAMP): $(STAMP)
	$(BIN)/python -m venv $(NBGRADER_VENV)
	$(BIN)/python -c "import sysconfig; print('import site; site.addsitedir(%r)' % sysconfig.get_paths()['purelib'])" \
	  > $$($(NBGRADER_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/vae_teach_main_venv.pth
	$(NBGRADER_VENV)/bin/pip install nbgrader==$(NBGRADER_VERSION)
	$(NBGRADER_VENV)/bin/python -c "import nbgrader, torch, vae_teach; print('nbgrader', nbgrader.__version__)"
	touch $(NBGRADER_STAMP)

book: $(STAMP)
	$(BOOK_ENV) $(BIN)/jupyter-book build . -W -n --keep-going

test: $(STAMP) $(NBGRADER_STAMP)
	$(BIN)/python -m pytest

# Student notebooks (solutions removed) into student/.
student: $(STAMP)
	$(BIN)/python -m vae_teach.student --out student

# Grade a class: run every notebook in DIR (a copy of it, with time limits), write
# grades.csv beside DIR (a column per exercise label) and print a summary per exercise.
DIR ?= submissions
grade: $(STAMP)
	$(BIN)/python -m vae_teach.grade $(DIR)

# An nbgrader course (JupyterHub): nbgrader/source/<chapter>/<chapter>.ipynb with the
# solutions in nbgrader's markers and one autograded test cell per checked exercise; then,
# in nbgrader/, `nbgrader generate_assignment <chapter>` and `nbgrader autograde <chapter>`
# ($(NBGRADER_VENV)/bin/nbgrader).
nbgrader: $(NBGRADER_STAMP)
	$(BIN)/python -m vae_teach.tools.assignments --out nbgrader

# Every named model of the book (vt.pretrained), trained into the model cache
# ($VAE_TEACH_CACHE) before a class, so that no chapter trains in the room.
models: $(STAMP)
	$(BIN)/python -m vae_teach.tools.models

# JupyterLab for the exercises: the student notebooks in student/ (written if missing;
# a student's own notebook is never overwritten), opened in the file browser; the
# chapters in book/ stay there to read and run (a double click opens a book/*.md chapter
# as a notebook, through jupytext). The default-viewer setting goes into this venv's
# JupyterLab (overrides.json), not into your user settings.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: $(STAMP)
	$(BIN)/python -m vae_teach.student --out student
	mkdir -p $(LAB_SETTINGS)
	test -f $(LAB_SETTINGS)/overrides.json || echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)/overrides.json
	$(BIN)/jupyter lab --LabApp.default_url=/lab/tree/student

# Cold and warm build time and peak memory of the whole book.
bench-book: $(STAMP)
	$(BIN)/python benchmarks/book_build.py --record benchmarks/results/book_build.json

# Refresh the widget and MathJax JavaScript in book/_static/vendor (needs npm
# and the network; see book/_static/vendor/VERSIONS.txt). Versions are pinned here.
HTML_MANAGER_VERSION := 1.0.15
REQUIREJS_VERSION    := 2.3.8
MATHJAX_VERSION      := 3.2.2
vendor-js:
	rm -rf /tmp/vae-teach-vendor && mkdir -p /tmp/vae-teach-vendor
	cd /tmp/vae-teach-vendor && npm pack --silent @jupyter-widgets/html-manager@$(HTML_MANAGER_VERSION) \
	  requirejs@$(REQUIREJS_VERSION) mathjax@$(MATHJAX_VERSION) \
	  && for f in *.tgz; do mkdir -p $${f%.tgz} && tar xzf $$f -C $${f%.tgz}; done
	V=book/_static/vendor; T=/tmp/vae-teach-vendor; \
	H=$$T/jupyter-widgets-html-manager-$(HTML_MANAGER_VERSION)/package/dist; \
	cp $$H/embed-amd.js $$H/*.woff2 $$H/*.woff $$H/*.ttf $$V/html-manager/ && \
	cp $$H/embed.js.LICENSE.txt $$V/html-manager/THIRD_PARTY_LICENSES.txt && \
	cp $$T/requirejs-$(REQUIREJS_VERSION)/package/require.js $$V/requirejs/ && \
	M=$$T/mathjax-$(MATHJAX_VERSION)/package; \
	cp $$M/es5/tex-chtml.js $$V/mathjax/ && cp $$M/es5/a11y/assistive-mml.js $$V/mathjax/a11y/ && \
	cp -r $$M/es5/ui $$V/mathjax/ && cp -r $$M/es5/input/tex/extensions $$V/mathjax/input/tex/ && \
	cp -r $$M/es5/output/chtml/fonts/woff-v2 $$V/mathjax/output/chtml/fonts/ && cp $$M/LICENSE $$V/mathjax/
	@echo "updated book/_static/vendor; update the versions in VERSIONS.txt and run make test"
