"""Pure parts of the smoke stage: sample files, deterministic ids, expectation matching."""

from __future__ import annotations

import pytest

from weavectl.core.smoke_checks import Result, check_expectations, object_id, parse_objects


def test_csv_values_take_the_property_types() -> None:
    text = "title,year,price,sold,tags\nA book,2001,9.5,true,x|y\nOther,1999,3,no,\n"
    objects = parse_objects(text, "books.csv", {"title": "text", "year": "int", "price": "number",
                                                "sold": "boolean", "tags": "text[]"})
    assert objects == [{"title": "A book", "year": 2001, "price": 9.5, "sold": True, "tags": ["x", "y"]},
                       {"title": "Other", "year": 1999, "price": 3.0, "sold": False}]


def test_bad_sample_files_name_the_line() -> None:
    with pytest.raises(ValueError, match=r"books.csv:3: invalid literal"):
        parse_objects("title,year\nA,1\nB,two\n", "books.csv", {"year": "int"})
    with pytest.raises(ValueError, match=r"data.jsonl:2:\d+: not JSON"):
        parse_objects('{"a": 1}\n{oops\n', "data.jsonl", {})
    with pytest.raises(ValueError, match=r"data\.jsonl:1: expected a JSON object"):
        parse_objects("[1, 2]\n", "data.jsonl", {})


def test_ids_are_deterministic_or_taken_from_the_object() -> None:
    assert object_id({"title": "x"}) == object_id({"title": "x"}) != object_id({"title": "y"})
    given = "6f1bb2ab-c1d5-4fad-a446-ba49d52f4260"
    assert object_id({"id": given.upper(), "title": "x"}) == given


def hits(*titles: str) -> list[Result]:
    return [Result(id=object_id({"title": t}), properties={"title": t}, score=1.0 - i / 10, distance=i / 10)
            for i, t in enumerate(titles)]


def test_expectations_in_order_any_order_and_thresholds() -> None:
    assert check_expectations({"top": [{"title": "a"}, {"title": "b"}]}, hits("a", "b", "c")) == (True, "")
    ok, detail = check_expectations({"top": [{"title": "b"}]}, hits("a", "b"))
    assert not ok and detail == "expected title='b' at #1, got title='a'"
    assert check_expectations({"top": [{"title": "b"}, {"title": "a"}], "any_order": True}, hits("a", "b"))[0]
    assert check_expectations({"top": [{"id": object_id({"title": "a"})}]}, hits("a"))[0]
    assert not check_expectations({"min_score": 1.5}, hits("a"))[0]
    assert check_expectations({"max_distance": 0.05}, hits("a"))[0]
    assert check_expectations({}, []) == (False, "the query returned no results")


def test_grpc_default_follows_the_clients_conventions() -> None:
    from weavectl.core.smoke_checks import default_grpc_address

    assert default_grpc_address("abc.c0.europe-west3.gcp.weaviate.cloud", True)[:2] == (
        "grpc-abc.c0.europe-west3.gcp.weaviate.cloud", 443)
    assert default_grpc_address("abc.weaviate.network", True)[:2] == ("abc.grpc.weaviate.network", 443)
    assert default_grpc_address("weaviate.internal", False)[:2] == ("weaviate.internal", 50051)


def test_indexing_pending_covers_every_node_and_only_this_collection() -> None:
    from weavectl.core.smoke_checks import describe_pending, indexing_pending

    answer = {"nodes": [
        {"name": "node1", "shards": [{"class": "Docs", "name": "s1", "vectorQueueLength": 0,
                                      "vectorIndexingStatus": "READY"},
                                     {"class": "Other", "name": "s9", "vectorQueueLength": 50,
                                      "vectorIndexingStatus": "INDEXING"}]},
        {"name": "node2", "shards": [{"class": "Docs", "name": "s2", "vectorQueueLength": 7,
                                      "vectorIndexingStatus": "INDEXING"}]},
        {"name": "node3", "shards": None},
    ]}
    pending, seen = indexing_pending(answer, "Docs")
    assert seen == 2
    assert describe_pending(pending) == "node node2 shard s2: 7 vector(s) queued, status INDEXING"
    assert indexing_pending(answer, "Docs", tenant="s1") == ([], 1)
