"""`explain`: the exact text each vector of a collection embeds for a sample object (rules: core.embed_text)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weavectl.adapters import tokens
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.smoke_checks import object_id, parse_objects
from weavectl.core.weaviate.embed_text import VectorText, explain_all, text_vectors, with_module_defaults
from weavectl.core.weaviate.rest import collection_name, to_rest
from weavectl.errors import ConfigError, UsageError, WeavectlError
from weavectl.run import Loaded

LATEST_SUPPORTED = "1.39.3"


@dataclass
class Explained:
    collection: str
    version: str
    source: str  # where the definition came from: "file" or "server"
    objects: list[tuple[str, list[VectorText]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"collection": self.collection, "server_version": self.version, "definition": self.source,
                "objects": [{"id": oid, "vectors": [_with_length(v) for v in vts]} for oid, vts in self.objects]}


def _with_length(vt: VectorText) -> dict[str, Any]:
    out = vt.to_json()
    if vt.text is not None:
        length, unit = tokens.count(vt.module, vt.model, vt.text)
        out["length"] = length
        out["unit"] = unit
    return out


def find_collection(loaded: Loaded, name: str) -> dict[str, Any]:
    for coll in loaded.data.get("collections") or []:
        if isinstance(coll, dict) and str(coll.get("name", "")).lower() == name.lower():
            return coll
    names = ", ".join(str(c.get("name")) for c in loaded.data.get("collections") or [] if isinstance(c, dict))
    raise UsageError(f"collection {name!r} is not in the file" + (f" (it has: {names})" if names else ""))


def explain(loaded: Loaded | None, name: str, *, client: WeaviateClient | None, object_ids: tuple[str, ...],
            sample: int | None, jsonl: str | None, vector: str | None, version: str | None) -> Explained:
    coll = find_collection(loaded, name) if loaded is not None else None
    cname = collection_name(str(coll["name"]) if coll else name)
    if client is not None:
        live = client.get_class(cname)
        if live is None:
            raise WeavectlError(f"collection {cname} does not exist on {client.url}")
        rest_class = live
        server_version = str(client.get_json("/v1/meta").get("version") or LATEST_SUPPORTED)
        source = "server"
    else:
        if coll is None:
            raise UsageError("explain needs the collection's definition: pass -f FILE, or --url for a live one")
        rest_class = with_module_defaults(to_rest(coll))
        server_version = version or LATEST_SUPPORTED
        source = "file"
    vectors = text_vectors(rest_class)
    if not vectors:
        raise WeavectlError(f"{cname} has no vector a module embeds from text (vectorizer none everywhere)")
    if vector is not None and vector not in vectors:
        raise UsageError(f"{cname} has no text vector {vector!r} (it has: {', '.join(vectors)})")
    objects = _objects(loaded, coll, rest_class, client, object_ids, sample, jsonl)
    result = Explained(cname, server_version, source)
    for oid, obj in objects:
        explained = [vt for vt in explain_all(rest_class, obj, server_version) if vector in (None, vt.vector)]
        result.objects.append((oid, explained))
    return result


def _objects(loaded: Loaded | None, coll: dict[str, Any] | None, rest_class: dict[str, Any],
             client: WeaviateClient | None, object_ids: tuple[str, ...], sample: int | None,
             jsonl: str | None) -> list[tuple[str, dict[str, Any]]]:
    cname = str(rest_class["class"])
    if object_ids:
        if client is None:
            raise UsageError("--object-id reads the live object: pass --url (or an environment with a url)")
        out = []
        for oid in object_ids:
            resp = client.request("GET", f"/v1/objects/{cname}/{oid}", ok=(200, 404))
            if resp.status_code == 404:
                raise WeavectlError(f"{cname} has no object with id {oid}")
            out.append((oid, dict(resp.json().get("properties") or {})))
        return out
    types = {str(p["name"]): str((p.get("dataType") or [""])[0]) for p in rest_class.get("properties") or []}
    if jsonl is not None:
        path = Path(jsonl)
        try:
            text = path.read_text()
        except OSError as exc:
            raise ConfigError(f"{path}: {exc.strerror}") from None
        try:
            parsed = parse_objects(text, str(path), types)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return [(object_id(o), _props(o)) for o in parsed]
    if coll is None or not isinstance(coll.get("smoke"), dict):
        raise UsageError(f"{cname} has no smoke sample objects in the file: pass --jsonl FILE or --object-id ID")
    from weavectl.smoke import load_objects

    assert loaded is not None
    samples = load_objects(coll["smoke"], coll, loaded.base_dir)
    if not samples:
        raise UsageError(f"{cname} has no smoke sample objects in the file: pass --jsonl FILE or --object-id ID")
    index = sample or 1
    if index < 1 or index > len(samples):
        raise UsageError(f"--sample {index}: {cname} has {len(samples)} sample object(s) (1..{len(samples)})")
    chosen = samples[index - 1]
    return [(object_id(chosen), _props(chosen))]


def _props(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("id", "_id")}


def render_text(result: Explained) -> str:
    lines = [f"{result.collection} (definition from the {result.source}, rules of Weaviate {result.version})"]
    for oid, vts in result.objects:
        lines.append(f"object {oid}")
        for vt in vts:
            data = _with_length(vt)
            length = f"{data['length']} {data['unit']}" if vt.text is not None else "no vector"
            lines.append(f"  vector {vt.vector} ({vt.module}): {length}")
            lines.append(f"    text: {json.dumps(vt.text, ensure_ascii=False)}")
            if vt.class_name_prefix is not None:
                lines.append(f"    collection-name prefix: {json.dumps(vt.class_name_prefix)}")
            for piece in vt.pieces:
                status = "embedded" if piece.included else f"left out ({piece.reason})"
                lines.append(f"    {piece.property}: {status}")
            if vt.title is not None:
                lines.append(f"    title: {json.dumps(vt.title, ensure_ascii=False)}")
            if vt.lowercased:
                lines.append("    lower-cased")
            if vt.note:
                lines.append(f"    note: {vt.note}")
            if data.get("unit") == "characters" and vt.module == "text2vec-openai":
                lines.append("    (tiktoken is not available: length in characters)")
    return "\n".join(lines)
