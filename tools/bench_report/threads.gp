# The thread-count chart of tools/bench-report.sh: `set` throughput (ops/s, log scale) against the
# number of writer threads, for kvstore, raw sqlite3 and LevelDB, under Durability::full (left)
# and normal (right), all measured in the same run.
#   gnuplot -e "datafile='threads.tsv'; outfile='bench-threads.png'; machine='...'" threads.gp
# datafile is written by bench_report.py (--threads-data): one line per thread count: threads,
# then ops/s of kvstore, raw and leveldb under full, then under normal ('?' where not measured).
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1200, 520 font "DejaVu Sans,10" noenhanced
set output outfile

set multiplot layout 1, 2 title "set throughput by writer threads, one file, 64-byte values\n" . \
  machine font ",11"
set logscale xy 2
set xrange [0.8:10]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8)
set format y "%.0f"
set logscale y 10
set grid xtics ytics lc rgb "#dddddd"
set xlabel "writer threads"
set ylabel "operations per second (log scale)"
set key top left

set title "Durability::full (every write synced; LevelDB sync = true)"
plot datafile using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "kvstore (one Store)", \
     '' using 1:3 with linespoints lw 2 pt 5 lc rgb "#9e9e9e" title "raw sqlite3 (a connection per thread)", \
     '' using 1:4 with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "LevelDB"

set title "Durability::normal (no sync per write; LevelDB sync = false)"
plot datafile using 1:5 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "kvstore (one Store)", \
     '' using 1:6 with linespoints lw 2 pt 5 lc rgb "#9e9e9e" title "raw sqlite3 (a connection per thread)", \
     '' using 1:7 with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "LevelDB"
unset multiplot
