"""infra/terraform checked as far as this machine allows: Terraform/OpenTofu and the Yandex
provider cannot be downloaded here, so neither `terraform validate` nor `plan` runs
(README, "Operations: infrastructure as code"). What is checked instead, with python-hcl2
(the HCL2 grammar Terraform uses):

- every .tf, .tfvars and backend .hcl file parses;
- every `var.x` is declared, every declared variable is used, every environment sets
  every variable without a default and nothing undeclared;
- every `local.x`, `data.t.n` and resource reference `t.n` resolves to a declaration;
- the cloud-init template gets exactly the variables it uses;
- the provider is pinned (source and a version constraint) and Terraform's version too;
- no literal secret: no password, key or token written as a string, no key-like strings;
- a formatting check approximating `terraform fmt -check`: two spaces per nesting level,
  `=` aligned across consecutive one-line attributes, one space around it for the
  longest name, no tabs, no trailing spaces, one final newline."""

import re
from pathlib import Path

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2] / "infra" / "terraform"
TF_FILES = sorted(ROOT.glob("*.tf"))
ENV_FILES = sorted((ROOT / "environments").glob("*.tfvars"))
BACKEND_FILES = sorted((ROOT / "environments").glob("*.backend.hcl"))
HCL_FILES = TF_FILES + ENV_FILES + BACKEND_FILES

REFERENCE = re.compile(
    r"(?<![\w.])(?:(var|local|module)\.([A-Za-z_][\w-]*)"
    r"|data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)"
    r"|([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*))"
)
# Names Terraform itself gives meaning to, which are not declarations of ours.
BUILTIN_PREFIXES = {"path", "count", "each", "self", "terraform"}


def unquote(name: str) -> str:
    return name.strip('"')


def parsed(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


def expressions(value):
    """Every string of a parsed document (expressions come as "${...}" strings)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("__comments__", "__is_block__"):
                continue
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, str):
        yield value


@pytest.fixture(scope="module")
def module():
    documents = {path.name: parsed(path) for path in TF_FILES}
    declared = {"variable": {}, "locals": {}, "resource": set(), "data": set(), "module": set()}
    for document in documents.values():
        for block in document.get("variable", []):
            for name, body in block.items():
                declared["variable"][unquote(name)] = body
        for block in document.get("locals", []):
            declared["locals"].update({k: v for k, v in block.items() if not k.startswith("__")})
        for kind in ("resource", "data"):
            for block in document.get(kind, []):
                for rtype, named in block.items():
                    for name in named:
                        declared[kind].add((unquote(rtype), unquote(name)))
        for block in document.get("module", []):
            declared["module"].update(unquote(name) for name in block)
    return documents, declared


def references(documents):
    for filename, document in documents.items():
        for text in expressions(document):
            for match in REFERENCE.finditer(text):
                yield filename, match


def test_there_is_something_to_check():
    assert {path.name for path in TF_FILES} >= {
        "versions.tf",
        "variables.tf",
        "network.tf",
        "databases.tf",
        "storage.tf",
        "compute.tf",
        "alb.tf",
        "outputs.tf",
    }
    assert {path.name for path in ENV_FILES} == {"staging.tfvars", "production.tfvars"}


@pytest.mark.parametrize("path", HCL_FILES, ids=lambda path: path.name)
def test_every_file_parses_as_hcl2(path):
    assert isinstance(parsed(path), dict)


def test_every_reference_resolves(module):
    documents, declared = module
    unresolved, used_variables = [], set()
    for filename, match in references(documents):
        prefix, name, data_type, data_name, rtype, rname = match.groups()
        if prefix == "var":
            used_variables.add(name)
            ok = name in declared["variable"]
        elif prefix == "local":
            ok = name in declared["locals"]
        elif prefix == "module":
            ok = name in declared["module"]
        elif data_type:
            ok = (data_type, data_name) in declared["data"]
        elif rtype.split("_")[0] in BUILTIN_PREFIXES:
            continue
        else:
            ok = (rtype, rname) in declared["resource"]
        if not ok:
            unresolved.append(f"{filename}: {match.group(0)}")
    assert unresolved == []
    assert set(declared["variable"]) - used_variables == set(), "declared but never used"


def test_resources_belong_to_the_pinned_provider(module):
    documents, declared = module
    versions = documents["versions.tf"]["terraform"][0]
    assert re.fullmatch(r'">= ?\d+\.\d+(\.\d+)?"', versions["required_version"])
    providers = versions["required_providers"][0]
    assert {name for name in providers if not name.startswith("__")} == {"yandex"}
    assert providers["yandex"]["source"] == '"yandex-cloud/yandex"'
    assert re.fullmatch(r'"(~>|=) ?\d+\.\d+(\.\d+)?"', providers["yandex"]["version"])
    kinds = {rtype for rtype, _ in declared["resource"] | declared["data"]}
    assert {kind.split("_")[0] for kind in kinds} == {"yandex"}


def test_the_pieces_of_the_production_topology_are_there(module):
    _, declared = module
    resources = {rtype for rtype, _ in declared["resource"]}
    assert resources >= {
        "yandex_vpc_network",
        "yandex_vpc_subnet",
        "yandex_vpc_security_group",
        "yandex_mdb_postgresql_cluster",
        "yandex_mdb_redis_cluster",
        "yandex_storage_bucket",
        "yandex_compute_instance_group",
        "yandex_alb_load_balancer",
        "yandex_cm_certificate",
        "yandex_logging_group",
    }


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda path: path.name)
def test_each_environment_sets_what_has_no_default_and_nothing_else(module, path):
    _, declared = module
    values = {key for key in parsed(path) if not key.startswith("__")}
    required = {name for name, body in declared["variable"].items() if "default" not in body}
    assert required - values == set(), "not set"
    assert values - set(declared["variable"]) == set(), "not declared"
    assert parsed(path)["environment"] == f'"{path.stem}"'


def test_the_node_template_gets_exactly_the_variables_it_uses(module):
    _, declared = module
    template = (ROOT / "templates" / "cloud-init.yaml.tftpl").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_]\w*)", template))
    used |= set(re.findall(r"%\{\s*for\s+\w+,\s*\w+\s+in\s+(\w+)", template))
    loop_names = set(re.findall(r"%\{\s*for\s+(\w+),\s*(\w+)", template)[0])
    used -= loop_names
    given = set(declared["locals"]["node_template"])
    compute = (ROOT / "compute.tf").read_text(encoding="utf-8")
    calls = re.findall(r"local\.node_template,\s*\{([^}]*)\}", compute)
    assert len(calls) == 2, "web and worker"
    for call in calls:
        assert used == given | set(re.findall(r"(\w+)\s*=", call))


# --- No literal secrets -------------------------------------------------------------------

SECRET_ATTRIBUTE = re.compile(
    r'^\s*"?([\w-]*(?:password|secret_key|access_key|token|private_key|api_key))"?\s*=\s*"',
    re.IGNORECASE | re.MULTILINE,
)
SECRET_LOOKING = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "Yandex static access key id": re.compile(r"\bYCA[A-Za-z0-9_-]{20,}"),
    "Yandex API key / secret": re.compile(r"\bYC[A-Za-z0-9_-]{36,}"),
    "IAM token": re.compile(r"\bt1\.[A-Za-z0-9_.-]{20,}"),
    "OAuth token": re.compile(r"\by[0-3]_[A-Za-z0-9_-]{20,}"),
    "AWS key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "password in a URL": re.compile(r"://[^/\s:@]+:[^@\s$]+@"),
}
ALL_FILES = sorted(p for p in ROOT.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_literal_secrets(path):
    text = path.read_text(encoding="utf-8")
    assert SECRET_ATTRIBUTE.findall(text) == []
    found = {name for name, pattern in SECRET_LOOKING.items() if pattern.search(text)}
    assert found == set()


def test_the_secret_checks_would_catch_one():
    assert SECRET_ATTRIBUTE.findall('  password = "hunter2"\n') == ["password"]
    assert SECRET_ATTRIBUTE.findall('  password = local.app_secrets["DB_PASSWORD"]\n') == []
    assert SECRET_LOOKING["password in a URL"].search("postgres://prichal:hunter2@db:6432/x")
    assert not SECRET_LOOKING["password in a URL"].search("postgres://prichal:$DB_PASSWORD@db")


def test_passwords_come_from_lockbox(module):
    documents, _ = module
    text = "\n".join(expressions(documents["databases.tf"]))
    assert text.count("local.app_secrets[") == 2
    assert "data.yandex_lockbox_secret_version.app.entries" in "\n".join(
        expressions(documents["locals.tf"])
    )


# --- Formatting, as `terraform fmt` would leave it (an approximation) ------------------

OPENERS, CLOSERS = "{[(", "}])"


def code_of(line: str, in_string: bool) -> tuple[str, bool]:
    """The line with string contents (and their interpolations) blanked out, and whether
    a string is still open at its end. Comments are dropped."""
    out, i, depth = [], 0, 0
    while i < len(line):
        char = line[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if line.startswith("${", i) or line.startswith("%{", i):
                depth += 1
                i += 2
                continue
            if char == "}" and depth:
                depth -= 1
            elif char == '"' and not depth:
                in_string = False
                out.append('"')
            i += 1
            continue
        if char == '"':
            in_string = True
            out.append('"')
        elif char == "#" or line.startswith("//", i):
            break
        else:
            out.append(char)
        i += 1
    return "".join(out), in_string


def format_problems(text: str) -> list[str]:
    problems = []
    if not text.endswith("\n") or text.endswith("\n\n"):
        problems.append("the file must end with exactly one newline")
    lines = text.split("\n")[:-1]
    stack: list[int] = []  # per line that left brackets open: how many are still open
    heredoc = None
    chain: list[tuple[int, str]] = []  # consecutive one-line attributes: (number, line)

    def close_chain():
        if chain:
            columns = {line.index("=") for _, line in chain}
            longest = max(len(line.split("=", 1)[0].rstrip()) for _, line in chain)
            if columns != {longest + 1}:
                problems.append(f"line {chain[0][0]}: '=' not aligned in this group")
            for number, line in chain:
                if (
                    not line[line.index("=") :].startswith("= ")
                    or line[line.index("=") + 2 : line.index("=") + 3].isspace()
                ):
                    problems.append(f"line {number}: one space after '='")
        chain.clear()

    for number, line in enumerate(lines, 1):
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            continue
        if "\t" in line:
            problems.append(f"line {number}: tab")
        if line != line.rstrip():
            problems.append(f"line {number}: trailing whitespace")
        code, open_string = code_of(line, False)
        if open_string:
            problems.append(f"line {number}: a string left open")
        stripped = code.strip()
        leading = len(stripped) - len(stripped.lstrip(CLOSERS))
        for _ in range(leading):
            if stack:
                stack[-1] -= 1
                if stack[-1] == 0:
                    stack.pop()
        if stripped:
            indent = len(line) - len(line.lstrip(" "))
            if indent != 2 * len(stack):
                problems.append(f"line {number}: indented {indent}, expected {2 * len(stack)}")
        rest = stripped[leading:]
        opened = sum(rest.count(c) for c in OPENERS) - sum(rest.count(c) for c in CLOSERS)
        while opened < 0 and stack:
            stack[-1] -= 1
            opened += 1
            if stack[-1] == 0:
                stack.pop()
        attribute = re.match(r"^\s*[\w\"-]+\s*=(?!=)", code)
        if attribute and opened == 0 and not leading:
            if chain and len(line) - len(line.lstrip()) != len(chain[0][1]) - len(
                chain[0][1].lstrip()
            ):
                close_chain()
            chain.append((number, line))
        else:
            close_chain()
            if attribute and not re.match(r"^\s*[\w\"-]+ = ", line):
                problems.append(f"line {number}: one space around '=' before a multi-line value")
        if opened > 0:
            stack.append(opened)
        marker = re.search(r"<<-?([A-Z]+)\s*$", code)
        if marker:
            heredoc = marker.group(1)
    close_chain()
    if stack:
        problems.append("brackets left open at the end of the file")
    return problems


@pytest.mark.parametrize("path", HCL_FILES, ids=lambda path: path.name)
def test_formatted_as_terraform_fmt_would(path):
    assert format_problems(path.read_text(encoding="utf-8")) == []


def test_the_format_check_finds_what_fmt_would_change():
    good = 'resource "a_b" "c" {\n  name = "x"\n  labels = {\n    k = "v"\n  }\n}\n'
    assert format_problems(good) == []
    assert format_problems(good.replace('name = "x"', 'name   = "x"'))
    assert format_problems(good.replace('name = "x"', 'name =  "x"'))
    pair = "a   = 1\nbcd = 2\n"
    assert format_problems(pair) == []
    assert format_problems(pair.replace("a   =", "a ="))  # not aligned
    assert format_problems(good.replace('    k = "v"', '   k = "v"'))  # odd indent
    assert format_problems(good.replace("labels = {", "labels   = {"))
    assert format_problems(good + "\n")
    multi = "x = merge(\n  a,\n  { b = 1 },\n)\ny = 2\n"
    assert format_problems(multi) == []
