# The ratio chart of tools/bench-report.sh: for each op (one cluster per row, top to bottom in run
# order), raw sqlite3 (always 1.0), kvstore / raw and in-memory layer / raw as horizontal bars on
# a log scale, with a dashed line at 1.0 (raw).
#   gnuplot -e "datafile='plot.tsv'; varsfile='plot-vars.gp'; outfile='bench.png'" ratio.gp
# datafile and varsfile are written by bench_report.py: one line per op (index, label,
# kvstore / raw, memlayer / raw or '?', both as text), and n, xmin, xmax, has_memlayer and the
# three title lines: title, subtitle, machine.
load varsfile

set datafile separator "\t"
set datafile missing "?"

row = 40  # pixels per op
set terminal pngcairo size 1200, (n > 2 ? n : 2) * row + 190 font "DejaVu Sans,10" noenhanced
set output outfile

set title title . "\n" . subtitle . "\n" . machine font ",11"
if (n == 0) {
  set label 1 "No op was measured both as kvstore and as raw." at graph 0.5, graph 0.5 center
  unset border; unset tics; unset key
  plot [0:1] [0:1] NaN notitle
  exit
}

lo = (xmin < 1 ? xmin : 1) / 1.6
hi = (xmax > 1 ? xmax : 1) * 1.7
set logscale x 10
set xrange [lo:hi]
set xtics ("0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, \
           "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100)
set mxtics 1
set grid xtics lc rgb "#dddddd"
set xlabel "time / raw sqlite3 time (log scale)"
set yrange [-(n - 0.5):0.5]
set ytics scale 0
unset mytics
set key outside bottom center horizontal height 1.5

# Every other row shaded; the raw line under the bars and their values.
do for [i = 0:n - 1:2] {
  set object rect from graph 0, first -i - 0.5 to graph 1, first -i + 0.5 \
    behind fc rgb "#f2f2f2" fs solid 1.0 noborder
}
set arrow from first 1, graph 0 to first 1, graph 1 nohead back dt 2 lw 1.5 lc rgb "#333333"

h = 0.12  # half the height of a bar
d = 0.27  # from one bar's middle to the next
y(i, k) = -i + k * d  # bar k of row i: 1 raw, 0 kvstore, -1 memlayer; 0.5 and -0.5 without it
kraw = has_memlayer ? 1 : 0.5
kkv = has_memlayer ? 0 : -0.5
set style fill solid 0.85 noborder
set style textbox opaque noborder margins 1, 0

plot datafile using (1):(y($1, kraw)):(lo):(1):(y($1, kraw) - h):(y($1, kraw) + h) \
       with boxxyerror lc rgb "#9e9e9e" title "raw sqlite3 (= 1.0)", \
     '' using ($3):(y($1, kkv)):(lo):($3):(y($1, kkv) - h):(y($1, kkv) + h):ytic(2) \
       with boxxyerror lc rgb "#1f77b4" title "kvstore / raw", \
     '' using ($3 * 1.03):(y($1, kkv)):5 with labels left boxed font ",8" notitle, \
     '' using ($4):(y($1, -1)):(lo):($4):(y($1, -1) - h):(y($1, -1) + h) \
       with boxxyerror lc rgb "#ff7f0e" title (has_memlayer ? "in-memory layer / raw" : ""), \
     '' using ($4 * 1.03):(y($1, -1)):6 with labels left boxed font ",8" notitle
