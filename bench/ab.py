"""A/B of two fluenzr builds, each on its own copy of the same dataset, on both engines:
the reads (a)-(c) of bench/run.py, single creates and batches of 1 000, measured back to back
in rounds whose order alternates; prints each figure's medians and the median of the
per-round ratios.

usage: python3 bench/ab.py base=<binary> new=<binary> [rounds=5] [engines=sqlite,postgres]
                           [contacts=20000] [events=200000]
       FIGS=a_rest,a_graphql,b_graphql,c_stats_hot,c_stats_small,single,batch picks figures."""
import importlib.util, json, os, shutil, statistics, subprocess, sys, tempfile
os.environ.setdefault("BENCH_DURATION", "6")
os.environ.setdefault("BENCH_WARMUP", "2")
spec = importlib.util.spec_from_file_location("run", os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.py"))
run = importlib.util.module_from_spec(spec); spec.loader.exec_module(run)
args = dict(a.split("=", 1) for a in sys.argv[1:])
engines = args.pop("engines", "sqlite,postgres").split(",")
rounds = int(args.pop("rounds", "5"))
contacts = args.pop("contacts", "20000"); events = args.pop("events", "200000")
builds = args
work = tempfile.mkdtemp()
pg = None
try:
    for engine in engines:
        servers = {}
        for name, binary in builds.items():
            if engine == "sqlite":
                url = f"sqlite://{work}/{name}.db?mode=rwc"
            else:
                if pg is None:
                    pg = run.Postgres()
                db = f"ab_{name}"
                pg.psql(f"CREATE DATABASE {db}")
                url = pg.url.rsplit("/", 1)[0] + "/" + db
            out = subprocess.run([binary, "seed-bench", "--database-url", url, "--contacts", contacts, "--events", events,
                                  "--small-campaign-events", "1000", "--hot-events", str(int(events) * 9 // 10)],
                                 capture_output=True, text=True, check=True).stdout
            seed = json.loads(out.strip().splitlines()[-1])
            servers[name] = run.Fluenzr(engine, url, seed, binary, name)
        figs = [f for f in os.environ.get("FIGS", "a_rest,a_graphql,b_graphql,c_stats_hot,c_stats_small,single").split(",")]
        res = {(n, f): [] for n in builds for f in figs}
        for rnd in range(rounds):
            order = list(builds) if rnd % 2 == 0 else list(builds)[::-1]
            for f in figs:
                for n in order:
                    run.ensure_idle()
                    if f == "single":
                        servers[n].engine = f"{engine}-r{rnd}"
                        r = run.single_creates(servers[n])
                    elif f == "batch":
                        servers[n].engine = f"{engine}-b{rnd}"
                        r = {"rps": 10000 / run.write_contacts(servers[n], 10)}
                    else:
                        url, method, body, validator = run.fz_figures(servers[n])[f]
                        r = run.measure_http(url, method, body, servers[n].auth, validator)
                    res[(n, f)].append(r["rps"])
            print(engine, "round", rnd, {f"{n}:{f}": round(res[(n, f)][-1]) for n in builds for f in figs}, flush=True)
        names = list(builds)
        for f in figs:
            base = names[0]
            line = [engine, f] + [f"{n}={round(statistics.median(res[(n, f)]))}" for n in names]
            for n in names[1:]:
                ratios = [c / b for c, b in zip(res[(n, f)], res[(base, f)])]
                line.append(f"{n}/{base}={statistics.median(ratios):.3f} ({' '.join(f'{r:.2f}' for r in ratios)})")
            print(*line, flush=True)
        for p in run.PROCS:
            p.kill()
        run.PROCS.clear()
finally:
    for p in run.PROCS:
        p.kill()
    if pg:
        pg.stop()
    shutil.rmtree(work, ignore_errors=True)
