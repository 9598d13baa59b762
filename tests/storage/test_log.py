"""Reading the log back: by range, by number, per aggregate, and time travel over backdated
events, the same on every backend."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from pmtui.service.workbench import Workbench
from tests.storage.conftest import _connect, postgres_base, postgres_reachable
from pmtui.timespec import AsOf
from projections.versions import fold_as_of_time
from tests.views import views_of


def test_records_by_number_per_aggregate_and_as_of_time_with_backdated_events(store: str) -> None:
    wb = Workbench(db=store, actor="ann")
    try:
        wb.init_product("Shop", "PM")
        keys = [wb.add_item(f"Item {n}") for n in range(6)]
        now = datetime.now(timezone.utc)
        for n, key in enumerate(keys):  # imported history: recorded now, occurred days ago, jumbled
            with wb.recorded_as("importer", now - timedelta(days=(n * 7) % 5 + 1)):
                wb.move_item(key, "In progress")
        wb.comment(keys[0], "now")
        records = list(wb.records())
        by_seq = {r.seq: r for r in records}
        assert [r.seq for r in records] == sorted(by_seq)
        wanted = [records[-1].seq, records[3].seq, records[0].seq, records[3].seq]
        assert wb.log.records_by_seq(wanted) == [by_seq[s] for s in sorted(set(wanted))]
        item_id = wb.item(keys[2]).id
        assert wb.records_of(item_id) == [r for r in records if r.aggregate_id == item_id]
        assert wb.log.max_seq() == records[-1].seq
        for days in (6, 4.5, 3, 2, 0.5):  # the backdated moves land on their days
            moment = (now - timedelta(days=days)).timestamp()
            assert views_of(wb.view(AsOf(moment=moment))) == views_of(fold_as_of_time(records, moment))

    finally:
        wb.close()


@pytest.mark.postgres
def test_a_postgres_schema_named_in_the_address_is_made_on_first_use() -> None:
    if not postgres_reachable():
        if os.environ.get("PMTUI_TEST_POSTGRES"):  # asked for explicitly (CI): a missing server is a failure
            pytest.fail(f"PMTUI_TEST_POSTGRES is set but no PostgreSQL server answers at {postgres_base()}")
        pytest.skip(f"no PostgreSQL server answers at {postgres_base()}")
    schema = f"pmtui_new_{uuid.uuid4().hex[:12]}"
    address = f"{postgres_base().split('?', 1)[0]}?schema={schema}"
    try:
        wb = Workbench(db=address, actor="ann")
        try:
            wb.init_product("Shop", "PM")
            assert wb.add_item("First") == "PM-1"
        finally:
            wb.close()
        again = Workbench(db=address, actor="ann")  # the second open finds it there
        try:
            assert again.item("PM-1").title == "First"
        finally:
            again.close()
    finally:
        with _connect(postgres_base()) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
