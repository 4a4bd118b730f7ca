# Writes the psql script bench/log-copy/run.sh runs: see there.
import sys
cols = "event_key, tenant_id, notification_id, delivery_id, user_id, channel, event, attempt, provider, reason, notification_created_at"
def row(k):
    return [f"ev_{k}", "default", "ntf_01jf0000000000000000000001", f"dlv_{k:012d}", f"user{k}", "email", "sent", "1", "smtp-default", "", "2026-12-06 10:00:00+00"]
out = []
out.append("\\set QUIET on\nselect pg_backend_pid() as pid \\gset\n\\setenv PGPID :pid\n")
k = 0
B = int(sys.argv[1]) if len(sys.argv) > 1 else 100
TICKS = sys.argv[2] if len(sys.argv) > 2 else "/tmp/ticks.txt"
BATCHES = 500
def cpu(label):
    out.append(f"\\! awk '{{print \"{label}\", $14+$15}}' /proc/$PGPID/stat >> {TICKS}\n")
for rep in range(3):
    for way in ["insert", "copy-staged", "copy-direct"]:
        cpu(f"start {way}")
        for b in range(BATCHES):
            rows = [row(k+i) for i in range(B)]; k += B
            if way == "insert":
                vals = ",".join("(" + ",".join(["'" + v + "'" if j not in (7,) else v for j, v in enumerate(r)]) .replace("''", "null") + ")" for r in rows)
                out.append(f"insert into delivery_log ({cols}) values {vals} on conflict (event_key, notification_created_at) do nothing returning event_key;\n")
            elif way == "copy-staged":
                out.append("begin;\ntruncate log_in;\n")
                out.append(f"copy log_in ({cols}) from stdin;\n")
                out.append("".join("\t".join(v if v != "" else "\\N" for v in r) + "\n" for r in rows))
                out.append("\\.\n")
                out.append(f"insert into delivery_log ({cols}) select {cols} from log_in on conflict (event_key, notification_created_at) do nothing returning event_key;\ncommit;\n")
            else:
                out.append(f"copy delivery_log ({cols}) from stdin;\n")
                out.append("".join("\t".join(v if v != "" else "\\N" for v in r) + "\n" for r in rows))
                out.append("\\.\n")
        cpu(f"end {way}")
sys.stdout.write("".join(out))
