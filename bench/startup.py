"""Startup benchmark: chatui on a big profile against a bare Textual app.

Not a test: it prints figures, as ratios against a baseline measured in the same
run, because machines here are noisy and absolute seconds mean little.

Setup: two live reference servers (real uvicorn on loopback, as in the demo), each
with an account holding 5,000 threads; one of them also has a thread of 100,000
messages. Then, each in a fresh process (so imports count, as they do for a user):

- ``bare``: a bare Textual app — the time to its first frame is the baseline;
- ``chatui``: the real ChatApp on both accounts — time to first frame, time until
  the merged list holds all 10,000 threads and is drawn, and the time from asking
  to open the big thread until its newest messages are drawn.

- ``cached``: the real ``chatui --config-dir DIR`` command (through
  ``chatui.cli.main``, as the console script runs it) on a profile whose store holds
  10,000 threads (with their last messages), every server unreachable (the
  accounts point at a closed port): time to first frame, and how many threads the
  list held when it was drawn. Only the app class is swapped, for one that runs
  headless and reports its first frame.

Targets: first frame within 1.25x of the bare app; list populated within
1 s after the first frame; the big thread's newest messages within 100 ms;
with 10,000 cached threads the whole merged list is in the first frame, and that
frame within 1.25x of the bare app's.

Bytecode: before the runs, chatui's modules are compiled to ``__pycache__`` (as pip
does when it installs a package, and as Python does on a first import). Textual, the
baseline's import, is already compiled in site-packages; without this step, in an
environment with PYTHONDONTWRITEBYTECODE set (some sandboxes and CI), every chatui
child would recompile chatui from source, ~25 ms that no user pays at startup.

Run: ``make bench`` or ``.venv/bin/python bench/startup.py [--runs N] [--threads N]``
(``--only cached`` runs just the bare app and the cached mode, without seeding servers)
(``--profile-split`` also shows each first frame split into imports and the rest)
(``--no-snapshot`` starts each cached run without the stored order snapshot, as
after a crash; by default the store is as a normally closed chatui leaves it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIG_THREAD_TITLE = "The big one"


# --- child side: runs inside a fresh interpreter --------------------------------------


def _child_bare(t0: float) -> dict[str, float]:
    from textual.app import App

    result: dict[str, float] = {"imported": time.time() - t0}

    class Bare(App[None]):
        def on_mount(self) -> None:
            self.call_after_refresh(self._first_frame)

        def _first_frame(self) -> None:
            result["first_frame"] = time.time() - t0
            self.exit()

    Bare().run(headless=True, size=(160, 45))
    return result


def _child_cached(t0: float, spec_path: str) -> dict[str, float]:
    """The real ``chatui`` command on a profile whose store holds many threads, with
    no server reachable: the same path a user's ``chatui --config-dir DIR`` takes
    (argument parsing, config, opening the store, linking accounts after the first
    frame), so every cost before that frame counts."""
    import importlib.abc
    import importlib.machinery

    spec = json.loads(Path(spec_path).read_text())
    result: dict[str, float] = {}

    def instrument(module: object) -> None:
        """Swap the app class for one that reports its first frame (run as soon as
        the launcher imports ``chatui.ui.app``: nothing is imported earlier or
        otherwise than for a user)."""
        import chatui.session.session

        load_cached = chatui.session.session.Session.load_cached

        def timed_load_cached(session: chatui.session.session.Session) -> None:
            started = time.perf_counter()
            load_cached(session)
            result["load_cached"] = time.perf_counter() - started

        chatui.session.session.Session.load_cached = timed_load_cached  # type: ignore[method-assign]

        class Measured(module.ChatApp):  # type: ignore[attr-defined,name-defined,misc]
            def __init__(self, *args: object, **kwargs: object) -> None:
                # Everything before the app exists: imports, arguments, config, store.
                result["imported"] = time.time() - t0
                super().__init__(*args, **kwargs)

            def run(self, **kwargs: object) -> str | None:
                return super().run(headless=True, size=(160, 45))

            # (Textual calls ChatApp.on_mount too: handlers run for each class.)
            def on_mount(self) -> None:
                self.call_after_refresh(self._first_frame)

            def _first_frame(self) -> None:
                result["first_frame"] = time.time() - t0
                # What the first frame showed: the list must be whole already.
                inbox = self.session.inbox
                result["threads_in_first_frame"] = len(inbox)
                result["first_row"] = inbox.at(0).title if len(inbox) else None
                self.exit()

        module.ChatApp = Measured  # type: ignore[attr-defined]

    class Hook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name: str, path: object, target: object = None) -> object:
            if name != "chatui.ui.app":
                return None
            sys.meta_path.remove(self)
            found = importlib.machinery.PathFinder.find_spec(name, path)  # type: ignore[arg-type]
            assert found is not None and found.loader is not None
            self.loader = found.loader
            found.loader = self
            return found

        def create_module(self, spec: object) -> None:
            return None

        def exec_module(self, module: object) -> None:
            self.loader.exec_module(module)  # type: ignore[union-attr]
            instrument(module)

    sys.meta_path.insert(0, Hook())
    from chatui.cli import main

    main(["--config-dir", spec["config_dir"]])
    return result


def _child_chatui(t0: float, spec_path: str) -> dict[str, float]:
    from chatui.backends.local import LocalBackend
    from chatui.core.models import AccountConfig
    from chatui.session.session import InboxChanged, LinkedAccount, MessagesChanged, Session
    from chatui.ui.app import ChatApp

    imported = time.time() - t0
    spec = json.loads(Path(spec_path).read_text())
    linked = []
    for item in spec["accounts"]:
        config = AccountConfig(**item["config"])
        linked.append(LinkedAccount(config, LocalBackend(config), item["token"]))
    session = Session(linked)
    expected = spec["expected_threads"]
    big_key = (spec["big"]["account_id"], spec["big"]["thread_id"])
    result: dict[str, float] = {"imported": imported}

    class Measured(ChatApp):
        def on_mount(self) -> None:
            self.call_after_refresh(self._first_frame)

        def _first_frame(self) -> None:
            result["first_frame"] = time.time() - t0

        def _populated(self) -> None:
            result["populated"] = time.time() - t0
            result["open_requested"] = time.perf_counter()
            self.open_thread(big_key)

        def _big_drawn(self) -> None:
            result["open_big"] = time.perf_counter() - result.pop("open_requested")
            self.exit()

    app = Measured(session)

    def watch(change: object) -> None:
        if (
            isinstance(change, InboxChanged)
            and "populated" not in result
            and len(session.inbox) >= expected
        ):
            # Marked after the refresh that draws it, not when the data arrives.
            result["populated"] = -1.0
            app.call_after_refresh(app._populated)
        elif (
            isinstance(change, MessagesChanged)
            and change.key == big_key
            and "open_requested" in result
            and session.messages(big_key)
        ):
            app.call_after_refresh(app._big_drawn)

    session.add_listener(watch)
    app.run(headless=True, size=(160, 45))
    return result


# --- parent side: seeds servers, runs children, prints ratios ------------------------


def _seed(root: Path, threads_per_account: int, big_messages: int) -> tuple[list, dict]:
    from chatui.server.runner import ServerThread

    servers = []
    accounts = []
    big: dict[str, str] = {}
    now = int(time.time() * 1000)
    for index, name in enumerate(("north", "harbor")):
        server = ServerThread(root / f"{name}.db").start()
        servers.append(server)
        db = server.database
        me = db.create_user("me", "bench-password")
        db.create_user("pal", "bench-password")
        ids = db.create_threads_bulk(
            "me",
            ((["pal"], f"{name} thread {i}") for i in range(threads_per_account)),
            created_ts=lambda i: now - 10_000_000 + i,
        )
        db.add_messages_bulk(
            (tid, "pal", f"hello from {name} #{i}", now - 5_000_000 + i * 2 + index)
            for i, tid in enumerate(ids)
        )
        if index == 0:
            big_thread = db.create_thread("me", ["pal"], BIG_THREAD_TITLE)
            db.add_messages_bulk(
                (
                    big_thread["thread_id"],
                    "pal" if i % 3 else "me",
                    f"message {i} of the big thread",
                    now - big_messages + i,
                )
                for i in range(big_messages)
            )
            big = {"account_id": name, "thread_id": big_thread["thread_id"]}
        accounts.append(
            {
                "config": {
                    "account_id": name,
                    "kind": "local",
                    "server": server.url,
                    "username": "me",
                    "label": name[0].upper(),
                    "color": "#5fafff" if index == 0 else "#d7875f",
                },
                "token": me["token"],
            }
        )
    expected = threads_per_account * 2 + 1
    return servers, {"accounts": accounts, "big": big, "expected_threads": expected}


def _fill_store(root: Path, threads_per_account: int) -> dict:
    """A profile as a long-running chatui leaves it: ``config.toml`` with two
    accounts, and a store with each account's threads and their last messages.
    The accounts point at a closed port (every server down), so only the store can
    fill the first frame; their tokens are in (absent) token files, so no keyring
    is asked either — and linking happens after the first frame anyway."""
    import socket

    from chatui.core.models import AccountConfig, Message, Thread
    from chatui.profile.config import save_accounts
    from chatui.profile.folders import Profile
    from chatui.storage.order_snapshot import SnapshotStore
    from chatui.storage.store import Store

    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    profile = Profile.resolve(root / "profile")
    store = Store(profile.data_dir / "store.sqlite3")
    now = int(time.time() * 1000)
    accounts = []
    for index, account_id in enumerate(("north", "harbor")):
        threads = []
        for i in range(threads_per_account):
            ts = now - 5_000_000 + i * 2 + index
            last = Message(
                account_id=account_id,
                thread_id=f"t{i}",
                message_id=f"m{i}",
                sender="pal",
                body=f"hello from {account_id} #{i}, see you at the usual place",
                ts=ts,
                txn_id=None,
            )
            threads.append(
                Thread(
                    account_id=account_id,
                    thread_id=f"t{i}",
                    title=f"{account_id} thread {i}",
                    members=("me", "pal"),
                    last_message=last,
                    unread=i % 3,
                    created_ts=now - 10_000_000 + i,
                )
            )
        store.replace_threads(account_id, threads)
        accounts.append(
            AccountConfig(
                account_id=account_id,
                kind="local",
                server=closed,
                username="me",
                label=account_id[0].upper(),
                color="#5fafff" if index == 0 else "#d7875f",
                token_store="file",
            )
        )
    store.close()
    # Closed by the app as a run of chatui closes it: with the list order's snapshot
    # for the next start (chatui.storage.order_snapshot; --no-snapshot measures without it).
    SnapshotStore(profile.data_dir / "store.sqlite3").close()
    save_accounts(profile, accounts)
    return {"config_dir": str(profile.config_dir), "store": str(profile.data_dir / "store.sqlite3")}


def _drop_snapshot(store_path: str) -> None:
    """The store as a crashed run leaves it: no snapshot of the order."""
    import sqlite3

    from chatui.storage.order_snapshot import SNAPSHOT_TABLE

    with contextlib.closing(sqlite3.connect(store_path)) as db, db:
        db.execute(f"DELETE FROM {SNAPSHOT_TABLE}")


def _run_child(mode: str, spec_path: Path) -> dict[str, float]:
    env = dict(os.environ, BENCH_T0=repr(time.time()))
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--spec", str(spec_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{mode} child failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each app (default 5)")
    parser.add_argument("--threads", type=int, default=5_000, help="threads per account")
    parser.add_argument("--messages", type=int, default=100_000, help="big thread size")
    parser.add_argument(
        "--only",
        choices=("cached",),
        help="run only the bare app and this mode (skips seeding the servers)",
    )
    parser.add_argument("--child", choices=("bare", "chatui", "cached"), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="cached mode without the stored order snapshot (as after a crash)",
    )
    parser.add_argument(
        "--profile-split",
        action="store_true",
        help="also show each first frame split into imports and the rest",
    )
    args = parser.parse_args()

    if args.child:
        t0 = float(os.environ["BENCH_T0"])
        if args.child == "bare":
            result = _child_bare(t0)
        elif args.child == "cached":
            result = _child_cached(t0, args.spec)
        else:
            result = _child_chatui(t0, args.spec)
        print(json.dumps(result))
        return

    # Imported here, not at the top: the children import this module too, and
    # anything it imports counts in both apps' times.
    import compileall

    import chatui

    # The children import chatui as an installed copy would: from its bytecode.
    compileall.compile_dir(Path(chatui.__file__).parent, quiet=1)

    with tempfile.TemporaryDirectory(prefix="chatui-bench-") as tmp:
        root = Path(tmp)
        servers: list = []
        spec_path = root / "spec.json"
        if args.only is None:
            started = time.perf_counter()
            servers, spec = _seed(root, args.threads, args.messages)
            print(
                f"seeded 2 servers x {args.threads} threads + 1 thread of {args.messages} "
                f"messages in {time.perf_counter() - started:.1f} s"
            )
            spec_path.write_text(json.dumps(spec))
        cached_spec_path = root / "cached-spec.json"
        cached_spec = _fill_store(root, args.threads)
        cached_spec_path.write_text(json.dumps(cached_spec))
        bare_runs: list[dict[str, float]] = []
        ours: list[dict[str, float]] = []
        cached: list[dict[str, float]] = []
        try:
            for _ in range(args.runs):  # interleaved, so drift hits all alike
                bare_runs.append(_run_child("bare", spec_path))
                if args.only is None:
                    ours.append(_run_child("chatui", spec_path))
                if args.no_snapshot:
                    _drop_snapshot(cached_spec["store"])
                cached.append(_run_child("cached", cached_spec_path))
        finally:
            for server in servers:
                server.stop()

    bare = [r["first_frame"] for r in bare_runs]
    bare_ff = statistics.median(bare)
    print(f"runs: {args.runs} of each, medians")
    print(f"bare Textual app, first frame:   {bare_ff * 1000:7.0f} ms  (baseline)")
    if ours:
        ff = statistics.median(r["first_frame"] for r in ours)
        populated_after = statistics.median(r["populated"] - r["first_frame"] for r in ours)
        open_big = statistics.median(r["open_big"] for r in ours)
        print(
            f"chatui, first frame:             {ff * 1000:7.0f} ms  "
            f"{ff / bare_ff:5.2f}x bare   (target <= 1.25x)"
        )
        print(
            f"chatui, merged list populated:  +{populated_after * 1000:7.0f} ms after first"
            f" frame  {populated_after / bare_ff:5.2f}x bare   (target <= 1000 ms)"
        )
        print(
            f"chatui, open {args.messages:,}-message thread: {open_big * 1000:5.0f} ms"
            f"  {open_big / bare_ff:5.2f}x bare   (target <= 100 ms)"
        )
    cached_ff = statistics.median(r["first_frame"] for r in cached)
    shown = min(int(r["threads_in_first_frame"]) for r in cached)
    load_cached = statistics.median(r["load_cached"] for r in cached)
    print(
        f"chatui, {args.threads * 2:,} cached threads, servers down, first frame:"
        f" {cached_ff * 1000:5.0f} ms  {cached_ff / bare_ff:5.2f}x bare   (target <= 1.25x)"
    )
    # Noise on a shared machine only ever adds time: the fastest run of each is a
    # second, steadier view (the target is judged on the medians above).
    best_ratio = min(r["first_frame"] for r in cached) / min(bare)
    print(
        f"  fastest runs: bare {min(bare) * 1000:.0f} ms, cached"
        f" {min(r['first_frame'] for r in cached) * 1000:.0f} ms ({best_ratio:.2f}x)"
    )
    print(
        f"  threads in that first frame: {shown:,} of {args.threads * 2:,}"
        f" (fewest over the runs); Session.load_cached: {load_cached * 1000:.0f} ms"
        f"{' (no order snapshot)' if args.no_snapshot else ''}"
    )
    if args.profile_split:
        # Process start -> imports done -> first frame, for finding where time goes.
        for name, runs in (("bare", bare_runs), ("chatui", ours), ("cached", cached)):
            if not runs:
                continue
            imported = statistics.median(r["imported"] for r in runs)
            rest = statistics.median(r["first_frame"] - r["imported"] for r in runs)
            print(
                f"split, {name + ':':7} imports {imported * 1000:4.0f} ms"
                f" + app start to first frame {rest * 1000:4.0f} ms"
            )


if __name__ == "__main__":
    main()
