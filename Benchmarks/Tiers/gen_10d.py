# 10 days x 20 robots x 1 Hz, two float fields: 17.28 M lines of line protocol on stdout.
import sys, random
random.seed(7)
t0 = 1704067200
out = sys.stdout
for day in range(10):
    lines = []
    for s in range(day * 86400, (day + 1) * 86400):
        ts = (t0 + s) * 1000000000
        for d in range(20):
            lines.append("m,device_id=r%02d a=%.2f,b=%.1f %d\n" % (d, 20 + (s % 600) / 100.0 + d, (s * 7 + d) % 1000 / 10.0, ts))
        if len(lines) > 200000:
            out.write("".join(lines)); lines = []
    out.write("".join(lines))
