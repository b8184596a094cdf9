"""The hostile-agent corpus: what an agent might leave in its workspace to attack the harness.

Each probe's commands run as the agent's ``run_command`` calls, inside the agent's sandbox. ``{marker}``
is an empty folder on the host (a file appearing in it means code ran on the host), ``{host_dir}``
a host folder with ``secret.txt`` and ``planted.py``, ``{host_repo}`` a host git repository holding
a secret. Every probe also fixes ``app.py``, so there is a real change to diff and validate.
``docs/security.md`` lists these probes; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

FIX = "printf 'VALUE = 2\\n' > app.py"


def run(name: str) -> str:
    """A command value that leaves a marker on the host if the harness ever runs it there."""
    return f'sh -c "id > {{marker}}/{name}; cat"'


@dataclass(frozen=True)
class Probe:
    """One attack: its commands and what the stored run must show besides the common checks."""

    name: str
    group: str  # git, path, size, process, secret
    attack: str  # one line for docs/security.md
    commands: tuple[str, ...]
    reason: str | None = None  # a regex the stored run's reason must match (None: the run succeeds)
    changed: tuple[str, ...] = ()  # paths that must appear among the run's changed files


def cfg(*pairs: tuple[str, str], file: str = ".git/config") -> str:
    """``git config`` commands (run by the agent, inside its sandbox) writing ``pairs`` to ``file``."""
    return " && ".join(f"git config -f {file} --add {key} '{value}'" for key, value in pairs)


GIT_PROBES = [
    Probe(
        "git-clean-filter",
        "git",
        "a clean filter (and a required one) in .git/config, applied to every file by .gitattributes",
        (
            cfg(("filter.pwn.clean", run("clean-filter")), ("filter.pwn.required", "true")),
            "printf '* filter=pwn\\n' > .gitattributes",
            FIX,
        ),
    ),
    Probe(
        "git-smudge-process-filter",
        "git",
        "smudge and long-running process filters",
        (
            cfg(("filter.pwn.smudge", run("smudge")), ("filter.pwn.process", run("process-filter"))),
            "printf '*.py filter=pwn\\n' > .gitattributes",
            FIX,
        ),
    ),
    Probe(
        "git-textconv-external-diff",
        "git",
        "a diff textconv driver and diff.external",
        (
            cfg(("diff.pwn.textconv", run("textconv")), ("diff.external", run("external-diff"))),
            "printf '* diff=pwn\\n' > .gitattributes",
            FIX,
        ),
    ),
    Probe(
        "git-fsmonitor",
        "git",
        "core.fsmonitor naming a command",
        (cfg(("core.fsmonitor", run("fsmonitor"))), FIX),
    ),
    Probe(
        "git-hooks",
        "git",
        "executable hooks in .git/hooks and a core.hooksPath folder the agent wrote",
        (
            "mkdir -p evil-hooks && for h in pre-commit post-commit post-checkout post-index-change "
            "reference-transaction pre-auto-gc fsmonitor-watchman post-rewrite; do "
            "printf '#!/bin/sh\\nid > {marker}/hook-'$h'\\n' | tee .git/hooks/$h > evil-hooks/$h; "
            "chmod +x .git/hooks/$h evil-hooks/$h; done",
            cfg(("core.hooksPath", "evil-hooks")),
            FIX,
        ),
    ),
    Probe(
        "git-include",
        "git",
        "include.path and includeIf pointing at a config file the agent wrote",
        (
            cfg(("filter.pwn.clean", run("include")), file="evil.gitconfig"),
            cfg(("include.path", "../evil.gitconfig"), ("includeIf.gitdir:/.path", "../evil.gitconfig")),
            "printf '* filter=pwn\\n' > .gitattributes",
            FIX,
        ),
    ),
    Probe(
        "git-gitdir-file",
        "git",
        ".git replaced by a gitdir: file pointing at a repository outside the workspace",
        ("rm -rf .git && printf 'gitdir: {host_repo}/.git\\n' > .git", FIX),
        changed=("app.py",),
    ),
    Probe(
        "git-dotgit-symlink",
        "git",
        ".git replaced by a symlink to a host repository, and a nested .git symlink to a host folder",
        ("rm -rf .git && ln -s {host_repo}/.git .git && mkdir sub && ln -s {host_dir} sub/.git", FIX),
        changed=("app.py",),
    ),
    Probe(
        "git-worktree",
        "git",
        "core.worktree pointing at the host's root and at a host folder",
        (
            cfg(("core.worktree", "/"), ("extensions.worktreeConfig", "true")),
            cfg(("core.worktree", "{host_dir}"), file=".git/config.worktree"),
            FIX,
        ),
    ),
    Probe(
        "git-command-settings",
        "git",
        "every config key that names a command: pager, editor, ssh, askpass, credential helper, gpg, proxy",
        (
            cfg(
                ("core.pager", run("pager")),
                ("core.editor", run("editor")),
                ("core.sshCommand", run("ssh")),
                ("core.askPass", run("askpass")),
                ("core.gitProxy", run("proxy")),
                ("credential.helper", "!" + run("credential")),
                ("gpg.program", run("gpg")),
                ("commit.gpgsign", "true"),
                ("sequence.editor", run("sequence-editor")),
                ("uploadpack.packObjectsHook", run("pack-hook")),
                ("protocol.allow", "always"),
                ("alias.status", "!" + run("alias")),
            ),
            FIX,
        ),
    ),
    Probe(
        "git-submodule",
        "git",
        "a nested repository with its own filter config, and .gitmodules with command URLs and update",
        (
            "mkdir -p vendor/lib && cd vendor/lib && git init -q && "
            + cfg(("filter.pwn.clean", run("submodule-filter")))
            + " && printf '* filter=pwn\\n' > .gitattributes && printf 'x\\n' > lib.py",
            cfg(
                ("submodule.lib.path", "vendor/lib"),
                ("submodule.lib.url", "ext::sh -c id>{marker}/ext-url"),
                ("submodule.lib.update", "!" + run("submodule-update")),
                file=".gitmodules",
            ),
            FIX,
        ),
        changed=("vendor/lib/lib.py", ".gitmodules"),
    ),
    Probe(
        "git-fifos-and-alternates",
        "git",
        ".git/config, HEAD and index replaced by FIFOs; objects/info/alternates to a host repository",
        (
            "echo {host_repo}/.git/objects > .git/objects/info/alternates",
            "rm -f .git/config .git/HEAD .git/index && mkfifo .git/config .git/HEAD .git/index",
            FIX,
        ),
        changed=("app.py",),
    ),
]

PATH_PROBES = [
    Probe(
        "manifests-symlinked-out",
        "path",
        "package.json, pyproject.toml and requirements.txt as symlinks to /etc/shadow, /proc/self/environ and a host secret",
        (
            "ln -sf /etc/shadow package.json && ln -sf /proc/self/environ pyproject.toml "
            "&& ln -s {host_dir}/secret.txt requirements.txt",
            FIX,
        ),
        reason=r"below the threshold|required evaluator",
    ),
    Probe(
        "heuristic-targets-symlinked-out",
        "path",
        "the files heuristic checks read (README.md, *.py, package.json) as symlinks out of the workspace",
        (
            "ln -sf /proc/self/environ README.md && ln -s {host_dir}/secret.txt leak.py "
            "&& ln -sf /proc/1/environ package.json",
            FIX,
        ),
    ),
    Probe(
        "junit-report-symlinked-out",
        "path",
        "JUnit reports symlinked to /proc/self/environ and a host secret, beside the real report",
        (
            "mkdir -p reports && ln -s /proc/self/environ reports/environ.xml "
            "&& ln -s {host_dir}/secret.txt reports/secret.xml",
            FIX,
        ),
    ),
    Probe(
        "junit-report-fifo",
        "path",
        "a FIFO named like a JUnit report the test evaluator reads",
        ("mkdir -p reports && mkfifo reports/zz-report.xml && mkfifo app.log", FIX),
    ),
    Probe(
        "hidden-tests-planted-links",
        "path",
        "symlinks where the hidden tests will be copied in, aimed at host files",
        ("ln -s {host_dir}/planted.py tests/test_hidden.py", FIX),
    ),
    Probe(
        "hidden-tests-folder-link",
        "path",
        "the hidden tests' folder replaced by a symlink to a host folder",
        ("mv tests tests-real && ln -s {host_dir} tests", FIX),
    ),
    Probe(
        "gitignore-tricks",
        "path",
        ".gitignore rewritten to hide new files, and nested .gitignore files as a FIFO and a symlink out",
        (
            "printf '*\\n' > .gitignore && mkdir -p a b && mkfifo a/.gitignore "
            "&& ln -s /proc/self/environ b/.gitignore && printf 'hidden = 1\\n' > b/new.py",
            FIX,
        ),
        changed=("b/new.py", ".gitignore"),
    ),
    Probe(
        "symlink-loops",
        "path",
        "symlink loops and chains",
        ("ln -s loop loop && ln -s a2 a1 && ln -s a1 a2 && ln -s ../../../../../../.. up", FIX),
    ),
    Probe(
        "locked-folders",
        "path",
        "folders and files with no permissions at all",
        (
            "mkdir -p locked/inner && printf x > locked/inner/f && chmod 000 locked/inner/f locked/inner locked",
            FIX,
        ),
    ),
    Probe(
        "dotgit-deleted",
        "path",
        "the workspace's .git deleted outright",
        ("rm -rf .git", FIX),
        changed=("app.py",),
    ),
]

SIZE_PROBES = [
    Probe(
        "big-file",
        "size",
        "a 2 GiB (sparse) file",
        ("truncate -s 2047M big.bin", FIX),
        reason=r"^workspace_limit:",
    ),
    Probe(
        "many-files",
        "size",
        "200,000 small files",
        (
            "python3 -c \"import os; os.makedirs('many'); "
            "[open(f'many/{{i}}', 'w').close() for i in range(200000)]\"",
            FIX,
        ),
        reason=r"^workspace_limit:",
    ),
    Probe(
        "deep-nesting",
        "size",
        "folders nested 400 deep",
        (
            "python3 -c \"import os; os.makedirs('/'.join(['d'] * 400)); open('/'.join(['d'] * 400) + '/f', 'w').close()\"",
            FIX,
        ),
        reason=r"^workspace_limit:",
    ),
    Probe(
        "oversized-and-binary-files",
        "size",
        "a 20 MB text file and binary files: left out of the diff and named",
        (
            "python3 -c \"open('huge.txt', 'w').write('line\\n' * 4_000_000)\"",
            "head -c 4096 /dev/urandom > blob.bin",
            FIX,
        ),
        changed=("app.py", "blob.bin"),
    ),
    Probe(
        "awkward-names",
        "size",
        "file names with a newline, invalid UTF-8, quotes, a leading dash and 255 bytes",
        (
            "printf x > \"$(printf 'new\\nline.txt')\" && printf x > \"$(printf 'bad-\\377-utf8.txt')\" "
            "&& printf x > '\"quoted\".txt' && printf x > ./-dash.txt && printf x > \"$(printf 'n%.0s' $(seq 251)).txt\"",
            FIX,
        ),
        changed=("-dash.txt", '"quoted".txt'),
    ),
]

PROCESS_PROBES = [
    Probe(
        "survivor-process",
        "process",
        "background processes that try to outlive the agent and rewrite files during validation",
        (
            "setsid nohup sh -c 'while :; do date >> zebench-survivor-tag.log; sleep 0.1; done' >/dev/null 2>&1 &",
            "(sleep 3; printf 'VALUE = 3\\n' > app.py) >/dev/null 2>&1 &",
            FIX,
        ),
    ),
]

SECRET_PROBES = [
    Probe(
        "harness-secrets",
        "secret",
        "reading the harness's environment, keys, hidden tests and the host folder from inside the sandbox",
        (
            "cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' > env-dump.txt; env >> env-dump.txt",
            "find / -name 'test_hidden*' -not -path '*/proc/*' 2>/dev/null > found.txt; "
            "cat {host_dir}/secret.txt {host_repo}/secret.txt >> found.txt 2>&1; true",
            FIX,
        ),
        changed=("env-dump.txt", "found.txt"),
    ),
]

PROBES = GIT_PROBES + PATH_PROBES + SIZE_PROBES + PROCESS_PROBES + SECRET_PROBES
