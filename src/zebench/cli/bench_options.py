"""The options of ``zebench bench``: one Typer annotation per option, and ``BenchFlags``, all of them
as one value the command's steps share.

The annotations live here, not in the signature, so ``bench`` reads as its list of options; this
module imports nothing heavy, since ``bench --help`` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

SuiteArgument = Annotated[str | None, typer.Argument(help="Suite name, e.g. examples.")]
ScenariosArgument = Annotated[list[str] | None, typer.Argument(help="Scenario ids (folder names); or --all.")]
AllScenariosOption = Annotated[bool, typer.Option("--all", help="Every scenario of the suite.")]
TierOption = Annotated[
    str | None, typer.Option(help="Prompt tier: L0, L1, L2, L3 or Lx. Default: L1, else the first.")
]
TiersOption = Annotated[list[str] | None, typer.Option("--tiers", help="Several tiers: L0,L1.")]
AgentOption = Annotated[
    str | None,
    typer.Option(
        help="echo (default), oracle, anthropic, openrouter, openai, replay, a CLI agent (zebench agents) or a plug-in."
    ),
]
AgentsOption = Annotated[list[str] | None, typer.Option("--agents", help="Several agents: a,b.")]
ModelOption = Annotated[str | None, typer.Option(help="Model id for LLM agents.")]
ModelsOption = Annotated[list[str] | None, typer.Option("--models", help="Several models: m1,m2.")]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible or Anthropic endpoint.")
]
AgentBinOption = Annotated[
    str | None, typer.Option("--agent-bin", help="Run this binary instead of the CLI agent's pinned one.")
]
AgentCommandOption = Annotated[
    str | None,
    typer.Option("--agent-command", help="The command agent's template: {prompt_file} {model} {base_url}."),
]
IterationsOption = Annotated[int, typer.Option(min=1, help="Run each cell N times into one batch.")]
PlanOption = Annotated[
    Path | None, typer.Option("--plan", exists=True, dir_okay=False, help="Experiment plan (YAML).")
]
ResumeOption = Annotated[
    str | None, typer.Option("--resume", help="Run what batch ID is missing or had interrupted.")
]
RetryErrorsOption = Annotated[
    bool, typer.Option("--retry-errors", help="With --resume: also re-run infra errors.")
]
ParallelOption = Annotated[int, typer.Option("--parallel", min=1, help="Runs at a time (local executor).")]
ExecutorOption = Annotated[str, typer.Option("--executor", help="local or dask.")]
SchedulerOption = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler, tcp://HOST:8786.")]
DaskWaitOption = Annotated[
    float | None,
    typer.Option("--dask-wait", min=0.0, help="Seconds to wait for a Dask worker (default: keep waiting)."),
]
BatchIdOption = Annotated[str | None, typer.Option("--batch-id", help="Batch id (default batch_<unix-ms>).")]
SkipWarmupOption = Annotated[bool, typer.Option("--skip-warmup", help="Do not run the control validation.")]
KeepWorkspaceOption = Annotated[bool, typer.Option("--keep-workspace", help="Keep results/workspaces/<run>.")]
MaxTurnsOption = Annotated[int, typer.Option("--max-turns", min=1)]
MaxTokensTotalOption = Annotated[int | None, typer.Option("--max-tokens-total", min=1)]
MaxCostOption = Annotated[float | None, typer.Option("--max-cost", min=0.0, help="USD per run.")]
TimeLimitOption = Annotated[float | None, typer.Option("--time-limit", min=1.0, help="Seconds per run.")]
MaxModelCallsOption = Annotated[
    int | None, typer.Option("--max-model-calls", min=1, help="Model calls per run (the gateway).")
]
ProviderToolsOption = Annotated[
    list[str] | None,
    typer.Option("--provider-tools", help="Grant provider-side tools: web_search,code_execution,... or all."),
]
PinGenerationOption = Annotated[
    list[str] | None,
    typer.Option("--pin-generation", help="Pin settings at the gateway: temperature=0,max_tokens=4096."),
]
RecordOption = Annotated[Path | None, typer.Option("--record", help="Store every model call in DIR.")]
ReplayOption = Annotated[
    Path | None,
    typer.Option("--replay", help="Serve a --record DIR back: any agent (gateway) or --agent replay."),
]
SuitesDirOption = Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")]
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default results/zebench.db).")]
WorkspaceRootOption = Annotated[Path, typer.Option("--workspace-root")]
SpecialistOption = Annotated[
    str | None, typer.Option("--specialist", help="Run as this specialist template (name or path).")
]
TemplatesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        envvar="ZEBENCH_TEMPLATES_DIR",
        help="Where template names resolve (default ./templates).",
    ),
]
MintTemplateOption = Annotated[
    str | None, typer.Option("--mint-template", help="Mint a snapshot of this template after the batch.")
]
MintOutputOption = Annotated[
    Path | None, typer.Option("--mint-output", help="Snapshot folder for --mint-template.")
]
EnrichTemplateOption = Annotated[
    str | None, typer.Option("--enrich-template", help="Enrich this template's docs after the batch.")
]
MaxWorkspaceFilesOption = Annotated[
    int | None,
    typer.Option(
        "--max-workspace-files", min=1, help="Files an agent may leave (default: the scenario's, 100000)."
    ),
]
MaxWorkspaceBytesOption = Annotated[
    str | None,
    typer.Option(
        "--max-workspace-bytes", help="Bytes an agent may leave, e.g. 2G (default: the scenario's, 1G)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable runs.")]
BatchDetailsOption = Annotated[
    str | None,
    typer.Option("--batch-details", help="Show a stored batch, as `zebench batch ID` (the seed's spelling)."),
]


@dataclass(frozen=True)
class BenchFlags:
    """Every option of one ``zebench bench`` call, as given (one field per parameter of ``bench``)."""

    suite: str | None
    scenarios: list[str] | None
    all_scenarios: bool
    tier: str | None
    tiers: list[str] | None
    agent: str | None
    agents: list[str] | None
    model: str | None
    models: list[str] | None
    base_url: str | None
    agent_bin: str | None
    agent_command: str | None
    iterations: int
    plan_file: Path | None
    resume: str | None
    retry_errors: bool
    parallel: int
    executor_kind: str
    scheduler: str | None
    dask_wait: float | None
    batch_id: str | None
    skip_warmup: bool
    keep_workspace: bool
    max_turns: int
    max_tokens_total: int | None
    max_cost: float | None
    time_limit: float | None
    max_model_calls: int | None
    provider_tools: list[str] | None
    pin_generation: list[str] | None
    prompt_cache: bool
    context_budget: int | None
    record: Path | None
    replay: Path | None
    suites_dir: Path | None
    db: str | None
    workspace_root: Path
    specialist: str | None
    templates_dir: Path | None
    mint_template: str | None
    mint_output: Path | None
    enrich_template_ref: str | None
    sandbox: str
    offline: bool
    max_workspace_files: int | None
    max_workspace_bytes: str | None
    as_json: bool
    batch_details: str | None
