# evalkit — the few commands people type. `make report` then `make test` (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup report test golden lab explore lint lock clean help

help:  ## 列出命令
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,dask,lab]'
	@touch $(STAMP)

setup: $(STAMP)  ## 按锁定版本创建虚拟环境 .venv

report: setup  ## 对 params/ 中的样例数据生成 HTML 报告到 outputs/
	$(BIN)/evalkit build --params params --out outputs

test: setup  ## 运行全部测试（按 CPU 核数并行）
	@$(BIN)/python -m compileall -q -j 0 evalkit tests >/dev/null  # bytecode once, for the many processes the tests start
	@# pytest keeps its assertion-rewritten test modules only where bytecode may be written: a machine
	@# with PYTHONDONTWRITEBYTECODE set would rewrite every test module in every worker on every run.
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto

golden: setup  ## 重新生成 tests/golden/ 中参考单位报告与复核意见的金标准文本（有意改动报告后运行，再用 git diff 检查）
	$(BIN)/python -m tests.golden

lab: setup  ## 打开 JupyterLab（已安装 evalkit，notebooks/ 在手边）
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

explore: setup  ## 在虚构的示例省份（60 个单位、3 个年度）上运行 explore.ipynb，存为 outputs/explore-synthetic.ipynb
	$(BIN)/papermill notebooks/explore.ipynb outputs/explore-synthetic.ipynb --cwd notebooks -p synthetic_units 60 --no-progress-bar
	@echo "已生成 outputs/explore-synthetic.ipynb；make lab 后在 JupyterLab 中打开（信任笔记本后表格可排序、筛选）"

lint: setup  ## ruff 检查
	$(BIN)/ruff check evalkit tests

lock: setup  ## 重新生成 constraints.txt（升级依赖后）
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

clean:  ## 删除虚拟环境与生成的报告
	rm -rf $(VENV) outputs/*/ outputs/*.html outputs/*.csv outputs/*.parquet outputs/.manifest*
