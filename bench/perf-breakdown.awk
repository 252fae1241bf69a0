# bench/perf-breakdown.awk -- server CPU per request, by cost centre, from
# `perf script -F comm,tid,ip,sym,dso` of a `perf record --call-graph dwarf` run.
#
#   perf script -F comm,tid,ip,sym,dso -i FILE |
#     awk -v kind=cspd|nginx -v freq=HZ -v requests=N -f bench/perf-breakdown.awk
#
# Each sample is put in the first category whose rule matches a frame of its
# call chain (rules go from the most specific to the most general), and printed
# as share of the server's samples and as CPU microseconds per request
# (samples / freq / requests). libmicrohttpd is not symbolized on Debian
# (no -dbgsym): its own frames count as "libmicrohttpd".

function has(re,    i) {
  for (i = 1; i <= n; i++)
    if (sym[i] ~ re)
      return 1
  return 0
}
function has_dso(re,    i) {
  for (i = 1; i <= n; i++)
    if (dso[i] ~ re)
      return 1
  return 0
}

function cat_cspd() {
  if (has("^cspd_guid_new$")) return "request-id + correlation-id GUIDs (2 getrandom + snprintf)"
  if (has("^authenticate$|^fnv1a$|^cspd_token_verify$")) return "authentication (token cache)"
  if (has("^cspd_journal_add$")) return "sandbox request journal (global mutex + snprintf)"
  if (has("^cspd_metrics_observe$")) return "metrics"
  if (has("^access_log$")) return "access log"
  if (has("^sqlite3|^sq_")) {
    if (has("WalBeginReadTransaction|WalEndReadTransaction|unixShmLock|unixLock|unixUnlock|fcntl"))
      return "SQLite read-tx WAL lock/unlock (fcntl + shm mutex)"
    if (has("fstatat|^__GI___fstat|unixFileSize|unixAccess"))
      return "SQLite fstat per read transaction"
    if (has("^sq_commit$|^sq_begin$|^sq_exec$"))
      return "SQLite BEGIN/COMMIT statements (rest)"
    return "SQLite SELECT (step, row copy into arena)"
  }
  if (has("^json_|^cspd_reply_json$|^cspd_link$|^mpn_profile$")) return "JSON build + dump (jansson)"
  if (has("sendmsg|writev|^__libc_send$|^send$")) return "kernel send() incl. loopback TCP delivery"
  if (has("recvfrom|^__libc_recv$|^recv$")) return "kernel recv()"
  if (has("^__poll$|^poll$|epoll_wait|^__select$|^select$|do_sys_poll|do_select")) return "event loop (poll/select/epoll)"
  if (has("accept4|^__close$|^close$|shutdown|setsockopt")) return "connection setup/teardown"
  if (has("^MHD_create_response|^MHD_add_response_header|^MHD_queue_response|^MHD_destroy_response|^queue$"))
    return "libmicrohttpd response setup (create, headers, queue)"
  if (has("^malloc$|^free$|^_int_malloc$|^_int_free$|^__libc_calloc$|^calloc$|^realloc$|^malloc_consolidate$|^__libc_free$|^__libc_malloc$|^cfree"))
    return "malloc/free (elsewhere)"
  if (has("^handle$|^completed$|^cspd_|^run$"))
    return "cspd request glue (dispatch, routing, headers, arena)"
  if (has_dso("microhttpd")) return "libmicrohttpd (parsing, connection state)"
  if (has_dso("kernel")) return "kernel other (scheduling, interrupts)"
  return "other"
}

function cat_nginx() {
  if (has("sendfile|writev|sendmsg|^__libc_send$|^send$|^__libc_write$|^write$")) return "kernel send incl. loopback TCP delivery"
  if (has("recvfrom|^__libc_recv$|^recv$|^read$|^__libc_read$")) return "kernel recv()"
  if (has("openat|^__open|^open64|^__libc_open|fstat|statx|^__close$|^close$|^__libc_close$"))
    return "static file open/fstat/close per request"
  if (has("epoll_wait|^epoll_")) return "event loop (epoll)"
  if (has("accept4|shutdown|setsockopt")) return "connection setup/teardown"
  if (has_dso("nginx")) return "nginx user code (parse, headers, log off)"
  if (has_dso("kernel")) return "kernel other (scheduling, interrupts)"
  return "other"
}

function flush() {
  if (n == 0) return
  c = (kind == "nginx") ? cat_nginx() : cat_cspd()
  count[c]++
  total++
  n = 0
}

/^[^ \t]/ { flush(); next }          # sample header: comm tid
/^[ \t]*$/ { flush(); next }
{
  # "\t    addr sym+off (dso)" -- sym may be [unknown]
  line = $0
  sub(/^[ \t]+[0-9a-f]+[ \t]+/, "", line)
  d = line
  if (match(d, /\([^()]*\)[ \t]*$/)) d = substr(d, RSTART + 1, RLENGTH - 2); else d = ""
  s = line
  sub(/[ \t]*\([^()]*\)[ \t]*$/, "", s)
  sub(/\+0x[0-9a-f]+$/, "", s)
  n++
  sym[n] = s
  dso[n] = d
}
END {
  flush()
  if (total == 0) { print "no samples"; exit 1 }
  printf "%-58s %7s %9s\n", "cost centre (" kind ")", "share", "us/req"
  for (c in count) order[c] = count[c]
  m = 0
  for (c in order) keys[++m] = c
  for (i = 1; i <= m; i++)          # sort by count, descending
    for (j = i + 1; j <= m; j++)
      if (count[keys[j]] > count[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
  for (i = 1; i <= m; i++)
    printf "%-58s %6.1f%% %9.2f\n", keys[i], 100 * count[keys[i]] / total,
      (requests > 0 ? count[keys[i]] / freq / requests * 1e6 : 0)
  printf "%-58s %6.1f%% %9.2f\n", "TOTAL server CPU", 100, (requests > 0 ? total / freq / requests * 1e6 : 0)
}
