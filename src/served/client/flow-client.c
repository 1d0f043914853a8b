/*
 * The served commands' client in C: dist/sbatch, squeue, scancel, scontrol,
 * sacct and sinfo are this program when `npm run build` could compile it
 * (bin/<cmd> links to dist/<cmd>); else they start main.ts on Node. It does what main.ts does, step
 * for step: find the cluster and its Redis as the full commands do, ask the
 * leading controller to run the command (src/served/protocol.ts) in one round
 * trip, print the answer; whenever that is not certain to give the very bytes
 * the full command would print, hand the command over to its full bundle on
 * Node (exec, so the process stays the same). Node's own start costs tens of
 * milliseconds of CPU; this costs about one.
 *
 * FLOW_BUILD_ID, CONF_FORMAT and SERVE_LUA come from the build (scripts/build.mjs).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

/* protocol.ts DECLINED, NEED; client/main.ts WAIT_SECONDS, ROUND_TRIP_MS, ANSWER_TTL_MS, TAKEN_WAIT_SECONDS */
#define DECLINED (-1)
#define NEED (-2)
#define WAIT_SECONDS 1
#define ROUND_TRIP_MS 3000
#define ANSWER_TTL_MS 10000
#define TAKEN_WAIT_SECONDS 30
#define CLAIM_TTL_MS 60000

static const char *SERVED[] = {"sbatch", "squeue", "scancel", "scontrol", "sacct", "sinfo", NULL};

/* commands that change nothing: done again in full when an answer is lost */
static int read_only(const char *name) { return !strcmp(name, "squeue") || !strcmp(name, "sacct") || !strcmp(name, "sinfo"); }

/* ---- growable bytes ---- */

typedef struct {
  char *p;
  size_t n, cap;
} buf;

static void grow(buf *b, size_t more) {
  if (b->n + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + more + 1) cap *= 2;
  b->p = realloc(b->p, cap);
  if (!b->p) abort();
  b->cap = cap;
}

static void put(buf *b, const void *s, size_t n) {
  grow(b, n);
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string, as JSON.stringify writes one (bytes above 0x7f as they are: UTF-8). */
static void put_json(buf *b, const char *s, size_t n) {
  puts_(b, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"') puts_(b, "\\\"");
    else if (c == '\\') puts_(b, "\\\\");
    else if (c == '\n') puts_(b, "\\n");
    else if (c == '\r') puts_(b, "\\r");
    else if (c == '\t') puts_(b, "\\t");
    else if (c == '\b') puts_(b, "\\b");
    else if (c == '\f') puts_(b, "\\f");
    else if (c < 0x20) putf(b, "\\u%04x", c);
    else put(b, &s[i], 1);
  }
  puts_(b, "\"");
}

static void put_base64(buf *b, const unsigned char *s, size_t n) {
  static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  grow(b, (n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
    char q[4] = {T[v >> 18 & 63], T[v >> 12 & 63], i + 1 < n ? T[v >> 6 & 63] : '=', i + 2 < n ? T[v & 63] : '='};
    put(b, q, 4);
  }
}

/* The whole of a file; -1 with errno set (a directory: EISDIR, as Node reports it). */
static int read_file(const char *path, buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    errno = EISDIR;
    return -1;
  }
  for (;;) {
    grow(out, 65536);
    ssize_t r = read(fd, out->p + out->n, out->cap - out->n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    if (r == 0) break;
    out->n += (size_t)r;
  }
  out->p[out->n] = 0;
  close(fd);
  return 0;
}

static void read_fd(int fd, buf *out) {
  for (;;) {
    grow(out, 65536);
    ssize_t r = read(fd, out->p + out->n, out->cap - out->n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    out->n += (size_t)r;
  }
  if (out->p) out->p[out->n] = 0;
}

/* protocol.ts zoneOf and conf-cache.ts fnv1a: FNV-1a, 32 bits */
static uint32_t fnv1a(const unsigned char *s, size_t n) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x01000193u;
  return h;
}

/* ---- handing over to the full command ---- */

static const char *self_dir;
static char **args_;
static int nargs_;
static buf stdin_read; /* what was read of stdin, handed on */
static int stdin_taken;

static void say(const char *name, const char *text) {
  buf b = {0};
  putf(&b, "%s: error: ", name);
  puts_(&b, text);
  puts_(&b, "\n");
  if (write(2, b.p, b.n) < 0) _exit(1);
}

static char once_[96]; /* protocol.ts ServeRequest once: set once a request is sent */

/* field `n` (from 3, the state) of /proc/<pid>/stat, after the command name in parentheses; "" when unreadable */
static void stat_field(const char *pid, int n, char *out, size_t size) {
  char path[64];
  buf text = {0};
  *out = 0;
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  if (read_file(path, &text) < 0) return;
  char *p = strrchr(text.p, ')');
  for (int f = 3; p && f <= n; f++) {
    p = strchr(p, ' ');
    if (p) p++;
    if (p && f == n) snprintf(out, size, "%.*s", (int)strcspn(p, " \n"), p);
  }
}

/* store/holder.ts holderDead: a claim (`host:pid:ns:start:nonce`, as a lease) of a process of this host, gone */
static int holder_dead(const char *claim) {
  char host[256] = {0}, f[5][256] = {{0}};
  if (sscanf(claim, "%255[^:]:%255[^:]:%255[^:]:%255[^:]:%255s", f[0], f[1], f[2], f[3], f[4]) < 2) return 0;
  if (gethostname(host, sizeof host - 1) != 0 || strcmp(f[0], host) != 0 || atoi(f[1]) <= 0) return 0;
  char link[128] = {0}, ns[64] = {0};
  ssize_t n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
  if (n > 0) sscanf(link, "pid:[%63[0-9]]", ns);
  if (strcmp(f[2], ns) != 0) return 0;
  if (kill((pid_t)atoi(f[1]), 0) != 0 && errno != EPERM) return 1;
  char state[8], start[64];
  stat_field(f[1], 3, state, sizeof state);
  if (strcmp(state, "Z") == 0) return 1;
  stat_field(f[1], 22, start, sizeof start);
  return *f[3] && *start && strcmp(start, f[3]) != 0;
}

/* exec node dist/launch.cjs [--asked] [--once=KEY] <name> args...: the command as if this client had not run */
static void fallback(const char *name, int asked) {
  if (stdin_taken) {
    /* stdin was read already: the command reads the same bytes */
    FILE *f = tmpfile();
    if (f) {
      fwrite(stdin_read.p, 1, stdin_read.n, f);
      fflush(f);
      lseek(fileno(f), 0, SEEK_SET);
      dup2(fileno(f), 0);
    }
  }
  buf launch = {0};
  puts_(&launch, self_dir);
  puts_(&launch, "/launch.cjs");
  char **argv = calloc((size_t)nargs_ + 6, sizeof *argv);
  int k = 0;
  argv[k++] = "node";
  argv[k++] = launch.p;
  if (asked) argv[k++] = "--asked";
  buf once = {0};
  if (asked && *once_) {
    putf(&once, "--once=%s", once_);
    argv[k++] = once.p;
  }
  argv[k++] = (char *)name;
  for (int i = 0; i < nargs_; i++) argv[k++] = args_[i];
  argv[k] = NULL;
  execvp("node", argv);
  say(name, "cannot start node (is Node.js on PATH?)");
  _exit(127);
}

/* ---- where: state directory, Redis, cluster (client/locate.ts) ---- */

static const char *env_(const char *k) { return getenv(k); }

static int state_dir(buf *out) {
  const char *s = env_("FLOW_STATE_DIR");
  if (s && *s) return puts_(out, s), 0;
  s = env_("XDG_STATE_HOME");
  if (s && *s) return puts_(out, s), puts_(out, "/flow-slurm"), 0;
  s = env_("HOME");
  if (s && *s) return puts_(out, s), puts_(out, "/.local/state/flow-slurm"), 0;
  return -1;
}

typedef struct {
  buf path, host, user, pass;
  int port, db, has_pass;
} target;

static int hexval(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* decodeURIComponent, or as written when it is not percent-encoded text (redis-url.ts) */
static void put_decoded(buf *b, const char *s, size_t n) {
  buf d = {0};
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
      if (h < 0 || l < 0) return put(b, s, n);
      char c = (char)(h * 16 + l);
      put(&d, &c, 1);
      i += 2;
    } else {
      put(&d, &s[i], 1);
    }
  }
  for (size_t i = 0; i < d.n; i++)
    if ((unsigned char)d.p[i] >= 0x80) return put(b, s, n); /* UTF-8 checks are Node's: leave it as written */
  if (d.n) put(b, d.p, d.n);
}

/* redis://[user[:password]@]host[:port][/db], plainly written; anything else is the full command's */
static int redis_target(target *t) {
  const char *url = env_("FLOW_REDIS_URL");
  if (!url || !*url) {
    buf dir = {0};
    if (state_dir(&dir) < 0) return -1;
    puts_(&t->path, dir.p);
    puts_(&t->path, "/redis/redis.sock");
    return 0;
  }
  if (strncmp(url, "redis://", 8) != 0) return -1;
  const char *a = url + 8;
  size_t alen = strcspn(a, "/?#");
  const char *rest = a + alen;
  for (const char *c = url; *c; c++)
    if ((unsigned char)*c <= 0x20 || *c == '\\' || (unsigned char)*c >= 0x7f) return -1;
  const char *at = memrchr(a, '@', alen);
  const char *hp = a;
  if (at) {
    const char *colon = memchr(a, ':', (size_t)(at - a));
    put_decoded(&t->user, a, (size_t)((colon ? colon : at) - a));
    if (colon && at - colon - 1 > 0) {
      put_decoded(&t->pass, colon + 1, (size_t)(at - colon - 1));
      t->has_pass = 1;
    }
    hp = at + 1;
  }
  size_t hlen = (size_t)(a + alen - hp);
  const char *port = NULL;
  if (hlen && hp[0] == '[') {
    const char *close_ = memchr(hp, ']', hlen);
    if (!close_) return -1;
    put(&t->host, hp + 1, (size_t)(close_ - hp - 1));
    if (close_ + 1 < hp + hlen) {
      if (close_[1] != ':') return -1;
      port = close_ + 2;
    }
  } else {
    const char *colon = memchr(hp, ':', hlen);
    put(&t->host, hp, colon ? (size_t)(colon - hp) : hlen);
    if (colon) port = colon + 1;
    for (size_t i = 0; i < t->host.n; i++) {
      char c = t->host.p[i];
      if (!(c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return -1;
    }
  }
  if (!t->host.n) puts_(&t->host, "127.0.0.1");
  t->port = 6379;
  if (port && port < hp + hlen) {
    t->port = 0;
    for (const char *c = port; c < hp + hlen; c++) {
      if (*c < '0' || *c > '9' || t->port > 65535) return -1;
      t->port = t->port * 10 + (*c - '0');
    }
    if (t->port == 0 || t->port > 65535) return -1;
  }
  if (*rest == '?' || *rest == '#') return -1;
  if (*rest == '/') {
    for (const char *c = rest + 1; *c; c++) {
      if (*c < '0' || *c > '9' || t->db > 100000) return -1;
      t->db = t->db * 10 + (*c - '0');
    }
  }
  return 0;
}

/* The cluster's name, from the full commands' parse cache of slurm.conf (conf-cache.ts). */
static int cluster_name(buf *name) {
  const char *conf = env_("SLURM_CONF");
  if (conf && !*conf) return -1;
  buf text = {0};
  if (read_file(conf ? conf : "/etc/slurm/slurm.conf", &text) < 0) {
    if (!conf && errno == ENOENT) return puts_(name, "flow"), 0; /* the built-in cluster */
    return -1;
  }
  /* the cache is named by the text's UTF-16 code units: the same as its bytes only for ASCII */
  for (size_t i = 0; i < text.n; i++)
    if ((unsigned char)text.p[i] >= 0x80) return -1;
  buf path = {0};
  if (state_dir(&path) < 0) return -1;
  putf(&path, "/conf-cache/%08x-%zu-v%d.json", fnv1a((unsigned char *)text.p, text.n), text.n, CONF_FORMAT);
  buf cached = {0};
  if (read_file(path.p, &cached) < 0) return -1;
  static const char HEAD[] = "{\"clusterName\":\"";
  if (cached.n < sizeof HEAD || memcmp(cached.p, HEAD, sizeof HEAD - 1) != 0) return -1;
  const char *s = cached.p + sizeof HEAD - 1;
  const char *e = strchr(s, '"');
  if (!e || memchr(s, '\\', (size_t)(e - s))) return -1;
  put(name, s, (size_t)(e - s));
  return 0;
}

/* ---- Redis: one connection, commands out, replies in ---- */

static int sock = -1;
static buf in;
static size_t in_at;

static int connect_to(target *t) {
  if (t->path.n) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (t->path.n >= sizeof sa.sun_path) return -1;
    memcpy(sa.sun_path, t->path.p, t->path.n);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return sock >= 0 && connect(sock, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : -1;
  }
  /* an address as written needs no resolver (a static binary's resolver loads the system's NSS modules) */
  struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)t->port)};
  int four = inet_pton(AF_INET, t->host.p, &v4.sin_addr) == 1;
  if (four || inet_pton(AF_INET6, t->host.p, &v6.sin6_addr) == 1) {
    sock = socket(four ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, four ? (struct sockaddr *)&v4 : (struct sockaddr *)&v6, four ? sizeof v4 : sizeof v6) != 0) return -1;
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
  char port[16];
  snprintf(port, sizeof port, "%d", t->port);
  if (getaddrinfo(t->host.p, port, &hints, &res) != 0) return -1;
  int ok = -1;
  for (struct addrinfo *r = res; r && ok < 0; r = r->ai_next) {
    sock = socket(r->ai_family, r->ai_socktype | SOCK_CLOEXEC, r->ai_protocol);
    if (sock < 0) continue;
    if (connect(sock, r->ai_addr, r->ai_addrlen) == 0) ok = 0;
    else close(sock), sock = -1;
  }
  freeaddrinfo(res);
  if (ok == 0) {
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return ok;
}

static void cmd_start(buf *b, int argc) { putf(b, "*%d\r\n", argc); }
static void cmd_arg(buf *b, const char *s, size_t n) {
  putf(b, "$%zu\r\n", n);
  put(b, s, n);
  puts_(b, "\r\n");
}
static void cmd_str(buf *b, const char *s) { cmd_arg(b, s, strlen(s)); }

static int send_all(const buf *b) {
  for (size_t off = 0; off < b->n;) {
    ssize_t w = send(sock, b->p + off, b->n - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    off += (size_t)w;
  }
  return 0;
}

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static long long deadline;

/* more bytes, waiting at most until the deadline */
static int fill(void) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) return -1;
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int r = poll(&p, 1, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    grow(&in, 65536);
    ssize_t n = recv(sock, in.p + in.n, in.cap - in.n - 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    in.n += (size_t)n;
    return 0;
  }
}

/* one line of a reply, without its \r\n */
static char *line(void) {
  for (;;) {
    char *s = in.p ? memmem(in.p + in_at, in.n - in_at, "\r\n", 2) : NULL;
    if (s) {
      char *l = in.p + in_at;
      *s = 0;
      in_at = (size_t)(s - in.p) + 2;
      return l;
    }
    if (fill() < 0) return NULL;
  }
}

typedef struct {
  char kind; /* + - : $ * or 0 for nil */
  long long num;
  char *s; /* offset into in: bulk strings stay where they were read */
  size_t len;
  size_t at;
} reply;

/* The next reply; for an array, its first bulk strings go to items (up to max). Nil is kind 0. */
static int next_reply(reply *r, reply *items, int max) {
  char *l = line();
  if (!l) return -1;
  r->kind = l[0];
  r->num = atoll(l + 1);
  r->s = l + 1;
  r->len = strlen(l + 1);
  if (r->kind == '$') {
    if (r->num < 0) return r->kind = 0, 0;
    while (in.n - in_at < (size_t)r->num + 2)
      if (fill() < 0) return -1;
    r->at = in_at;
    r->len = (size_t)r->num;
    in_at += (size_t)r->num + 2;
    return 0;
  }
  if (r->kind == '*') {
    if (r->num < 0) return r->kind = 0, 0;
    for (long long i = 0; i < r->num; i++) {
      reply item;
      if (next_reply(&item, NULL, 0) < 0) return -1;
      if (i < max) items[i] = item;
    }
  }
  return r->kind == '+' || r->kind == '-' || r->kind == ':' || r->kind == '*' ? 0 : -1;
}

/* ---- the request ---- */

static int served_var(const char *k, size_t n) {
  static const char *PREFIX[] = {"SLURM_", "SQUEUE_", "SACCT_", "SINFO_", "SCONTROL_", "SCANCEL_", "FLOW_", NULL};
  static const char *EXACT[] = {"TZ", "USER", "LOGNAME", "HOME", "XDG_STATE_HOME", NULL};
  for (int i = 0; PREFIX[i]; i++)
    if (n >= strlen(PREFIX[i]) && strncmp(k, PREFIX[i], strlen(PREFIX[i])) == 0) return 1;
  for (int i = 0; EXACT[i]; i++)
    if (n == strlen(EXACT[i]) && strncmp(k, EXACT[i], n) == 0) return 1;
  return 0;
}

/* protocol.ts servedEnv: -1 when a path setting is relative (the full command resolves it here) */
static int put_env(buf *b, int all) {
  static const char *PATHS[] = {"SLURM_CONF", "FLOW_CONFIG", "FLOW_STATE_DIR", NULL};
  for (int i = 0; PATHS[i]; i++) {
    const char *v = env_(PATHS[i]);
    if (v && *v && *v != '/') return -1;
  }
  puts_(b, "{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;
    size_t kn = (size_t)(eq - *e);
    if (!all && !served_var(*e, kn)) continue;
    /* the first of a name wins, as in Node's process.env */
    int seen = 0;
    for (char **f = environ; f < e && !seen; f++) seen = strncmp(*f, *e, kn + 1) == 0;
    if (seen) continue;
    if (!first) puts_(b, ",");
    first = 0;
    put_json(b, *e, kn);
    puts_(b, ":");
    put_json(b, eq + 1, strlen(eq + 1));
  }
  puts_(b, "}");
  return 0;
}

static void put_zone(buf *b) {
  const char *tz = env_("TZ");
  buf z = {0};
  if (tz) {
    puts_(&z, "TZ=");
    puts_(&z, tz);
  } else {
    buf lt = {0};
    if (read_file("/etc/localtime", &lt) < 0) puts_(&z, "UTC");
    else putf(&z, "localtime:%x-%zu", fnv1a((unsigned char *)lt.p, lt.n), lt.n);
  }
  put_json(b, z.p, z.n);
}

/* commands/identity.ts: the user's name, the group's from /etc/group (else its number), the short host name */
static int put_identity(buf *b) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  struct passwd *pw = getpwuid(uid);
  if (!pw || !pw->pw_name) return -1;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) return -1;
  char *dot = strchr(host, '.');
  if (dot) *dot = 0;
  buf group = {0};
  char gidtext[32];
  snprintf(gidtext, sizeof gidtext, "%u", (unsigned)gid);
  buf g = {0};
  if (read_file("/etc/group", &g) == 0) {
    for (char *l = g.p; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
      char *end = strchr(l, '\n');
      size_t n = end ? (size_t)(end - l) : strlen(l);
      char *c1 = memchr(l, ':', n), *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l)) : NULL;
      if (!c2 || c1 == l) continue;
      char *c3 = memchr(c2 + 1, ':', n - (size_t)(c2 + 1 - l));
      size_t idn = c3 ? (size_t)(c3 - c2 - 1) : n - (size_t)(c2 + 1 - l);
      char id[32];
      if (idn == 0 || idn >= sizeof id) continue;
      memcpy(id, c2 + 1, idn);
      id[idn] = 0;
      char *endp;
      unsigned long v = strtoul(id, &endp, 10);
      if (*endp || v != gid) continue;
      put(&group, l, (size_t)(c1 - l));
      break;
    }
  }
  if (!group.n) puts_(&group, gidtext);
  putf(b, ",\"identity\":{\"userId\":%u,\"userName\":", (unsigned)uid);
  put_json(b, pw->pw_name, strlen(pw->pw_name));
  putf(b, ",\"groupId\":%u,\"groupName\":", (unsigned)gid);
  put_json(b, group.p, group.n);
  puts_(b, ",\"submitHost\":");
  put_json(b, host, strlen(host));
  putf(b, ",\"allocSid\":%d}", (int)getppid());
  return 0;
}

/* ---- sbatch's input from this machine (protocol.ts encodeNeeds; main.ts findScript) ---- */

static const unsigned char *stdin_bytes(size_t *n) {
  if (!stdin_taken) read_fd(0, &stdin_read), stdin_taken = 1;
  *n = stdin_read.n;
  return (unsigned char *)stdin_read.p;
}

/* `,"script":{...}` or `,"stdin":"..."`; fields: kind, bare, given, paths... */
static void put_needs(buf *b, char **f, int nf) {
  if (nf >= 1 && strcmp(f[0], "stdin") == 0) {
    size_t n;
    const unsigned char *s = stdin_bytes(&n);
    puts_(b, ",\"stdin\":\"");
    put_base64(b, s, n);
    puts_(b, "\"");
    return;
  }
  if (nf < 4 || strcmp(f[0], "script") != 0) return;
  int bare = strcmp(f[1], "1") == 0;
  const char *given = f[2];
  const char *found = NULL;
  buf bytes = {0};
  const char *local = f[3];
  if (strcmp(local, "/dev/stdin") == 0 || strcmp(local, "/proc/self/fd/0") == 0) {
    size_t n;
    const unsigned char *s = stdin_bytes(&n);
    put(&bytes, s, n);
    found = local;
  } else if (read_file(local, &bytes) == 0) {
    found = local;
  } else if (bare && errno != ENOENT && errno != EISDIR && errno != ENOTDIR) {
    found = NULL; /* a file here that cannot be read is still the one */
  } else if (bare) {
    for (int i = 4; i < nf && !found; i++) {
      bytes.n = 0;
      if (read_file(f[i], &bytes) == 0) found = f[i];
    }
  }
  puts_(b, ",\"script\":{\"given\":");
  put_json(b, given, strlen(given));
  if (found) {
    puts_(b, ",\"path\":");
    put_json(b, found, strlen(found));
    puts_(b, ",\"bytes\":\"");
    put_base64(b, (unsigned char *)bytes.p, bytes.n);
    puts_(b, "\"");
  }
  puts_(b, "}");
}

/* ---- asking ---- */

typedef struct {
  int code;
  const char *err, *out;
  size_t errn, outn;
} answer;

static void write_all(int fd, const char *s, size_t n) {
  for (size_t off = 0; off < n;) {
    ssize_t w = write(fd, s + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      poll(&p, 1, 10);
      continue;
    }
    /* a reader that went away: as commands/io.ts, exit 141 (SIGPIPE is ignored, as under Node) */
    if (w < 0) _exit(fd == 1 ? 141 : 1);
    off += (size_t)w;
  }
}

/* dist/, where launch.cjs and client.cjs are: this binary's own directory (bin/<cmd> is a link to dist/<cmd>) */
static const char *own_dir(const char *argv0) {
  char *real = realpath("/proc/self/exe", NULL);
  if (!real && strchr(argv0, '/')) real = realpath(argv0, NULL);
  if (!real) return ".";
  *strrchr(real, '/') = 0;
  return real;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  /* started as dist/<cmd> (through bin/<cmd>), or as `flow-client <cmd> args...` */
  const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  int direct = strcmp(base, "flow-client") == 0;
  if (direct && argc < 2) return say("flow-client", "usage: flow-client <command> [args...]"), 2;
  const char *name = direct ? argv[1] : base;
  args_ = argv + (direct ? 2 : 1);
  nargs_ = argc - (direct ? 2 : 1);
  self_dir = own_dir(argv[0]);
  int served = 0;
  for (int i = 0; SERVED[i]; i++) served |= strcmp(SERVED[i], name) == 0;
  const char *mode = env_("FLOW_SERVED");
  if (!served || (mode && strcmp(mode, "0") == 0)) fallback(name, 0);
  /* FLOW_CLIENT=node: the Node client (dist/client.cjs) instead of this one */
  const char *client = env_("FLOW_CLIENT");
  if (client && strcmp(client, "node") == 0) {
    buf js = {0};
    puts_(&js, self_dir);
    puts_(&js, "/client.cjs");
    char **av = calloc((size_t)nargs_ + 4, sizeof *av);
    av[0] = "node", av[1] = js.p, av[2] = (char *)name;
    for (int i = 0; i < nargs_; i++) av[3 + i] = args_[i];
    execvp("node", av);
    say(name, "cannot start node (is Node.js on PATH?)");
    return 127;
  }
  if (client && *client && strcmp(client, "c") != 0) {
    buf m = {0};
    putf(&m, "FLOW_CLIENT must be c or node, not %s", client);
    say(name, m.p);
    return 1;
  }
  int only = mode && strcmp(mode, "only") == 0;

  int asked = 0;
  answer a = {.code = DECLINED};
  target t = {0};
  buf cluster = {0}, cwd = {0}, env = {0}, request = {0};
  grow(&cwd, 4096);
  int sbatch = strcmp(name, "sbatch") == 0;
  if (!getcwd(cwd.p, cwd.cap - 1) || redis_target(&t) < 0 || cluster_name(&cluster) < 0 || put_env(&env, sbatch) < 0) goto done;
  cwd.n = strlen(cwd.p);
  if (connect_to(&t) < 0) goto done;

  /* the request (protocol.ts ServeRequest), all but its id and sbatch's input */
  buf body = {0};
  puts_(&body, ",\"command\":");
  put_json(&body, name, strlen(name));
  puts_(&body, ",\"argv\":[");
  for (int i = 0; i < nargs_; i++) {
    if (i) puts_(&body, ",");
    put_json(&body, args_[i], strlen(args_[i]));
  }
  puts_(&body, "],\"env\":");
  put(&body, env.p, env.n);
  puts_(&body, ",\"cwd\":");
  put_json(&body, cwd.p, cwd.n);
  putf(&body, ",\"uid\":%u,\"zone\":", (unsigned)getuid());
  put_zone(&body);
  if (sbatch && put_identity(&body) < 0) goto done;

  buf prefix = {0};
  putf(&prefix, "flow:{%s}:", cluster.p);
  buf k_lease = {0}, k_build = {0}, k_serve = {0};
  putf(&k_lease, "%scontroller", prefix.p);
  putf(&k_build, "%scontroller-build", prefix.p);
  /* protocol.ts laneOf: read-only requests wait apart */
  putf(&k_serve, read_only(name) ? "%sserve-read" : "%sserve", prefix.p);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  char id[96];
  snprintf(id, sizeof id, "%d-%lx%lx", (int)getpid(), (long)tv.tv_sec, (long)tv.tv_usec);
  puts_(&body, ",\"once\":");
  put_json(&body, id, strlen(id));

  char *needs[4096];
  int nneeds = 0;
  buf needtext = {0};
  /* sbatch may first need its script (or stdin) from here: at most one of each */
  for (int round = 0; round < 3; round++) {
    request.n = 0;
    puts_(&request, "{\"id\":");
    char rid[128];
    snprintf(rid, sizeof rid, "%s.%d", id, round);
    put_json(&request, rid, strlen(rid));
    put(&request, body.p, body.n);
    if (nneeds) put_needs(&request, needs, nneeds);
    puts_(&request, "}");
    buf k_answer = {0};
    putf(&k_answer, "%sserved:%s", prefix.p, rid);

    buf out = {0};
    int n = 2;
    if (round == 0 && t.has_pass) {
      if (t.user.n) cmd_start(&out, 3), cmd_str(&out, "AUTH"), cmd_arg(&out, t.user.p, t.user.n);
      else cmd_start(&out, 2), cmd_str(&out, "AUTH");
      cmd_arg(&out, t.pass.p, t.pass.n);
      n++;
    }
    if (round == 0 && t.db) {
      char db[16];
      snprintf(db, sizeof db, "%d", t.db);
      cmd_start(&out, 2), cmd_str(&out, "SELECT"), cmd_str(&out, db);
      n++;
    }
    char declined[32], ttl[16], wait[8];
    snprintf(declined, sizeof declined, "%d\n0\n", DECLINED);
    snprintf(ttl, sizeof ttl, "%d", ANSWER_TTL_MS);
    snprintf(wait, sizeof wait, "%d", WAIT_SECONDS);
    cmd_start(&out, 11);
    cmd_str(&out, "EVAL"), cmd_str(&out, SERVE_LUA), cmd_str(&out, "4");
    cmd_str(&out, k_lease.p), cmd_str(&out, k_build.p), cmd_str(&out, k_serve.p), cmd_str(&out, k_answer.p);
    cmd_str(&out, FLOW_BUILD_ID), cmd_arg(&out, request.p, request.n), cmd_str(&out, declined), cmd_str(&out, ttl);
    cmd_start(&out, 3), cmd_str(&out, "BLPOP"), cmd_str(&out, k_answer.p), cmd_str(&out, wait);
    deadline = now_ms() + ROUND_TRIP_MS + WAIT_SECONDS * 1000;
    if (send_all(&out) < 0) goto done;
    reply r, items[2];
    int failed = 0;
    for (int i = 0; i < n - 1; i++) {
      if (next_reply(&r, NULL, 0) < 0) goto done;
      failed |= r.kind == '-';
    }
    if (next_reply(&r, items, 2) < 0) goto done;
    if (failed || r.kind == '-') goto done;
    if (r.kind != '*' || r.num != 2 || items[1].kind != '$') {
      /* not answered in time: claim it, so that no controller carries it out late if it changes jobs (server.ts), and take it back */
      buf claim = {0}, k_claim = {0};
      char ttl_claim[16];
      snprintf(ttl_claim, sizeof ttl_claim, "%d", CLAIM_TTL_MS);
      putf(&k_claim, "%sserved-claim:%s", prefix.p, rid);
      cmd_start(&claim, 6), cmd_str(&claim, "SET"), cmd_str(&claim, k_claim.p), cmd_str(&claim, "caller"), cmd_str(&claim, "PX"), cmd_str(&claim, ttl_claim), cmd_str(&claim, "NX");
      cmd_start(&claim, 4), cmd_str(&claim, "LREM"), cmd_str(&claim, k_serve.p), cmd_str(&claim, "1"), cmd_arg(&claim, request.p, request.n);
      asked = 1;
      reply removed;
      if (send_all(&claim) < 0 || next_reply(&r, NULL, 0) < 0 || next_reply(&removed, NULL, 0) < 0) goto done;
      if (r.kind == '+') goto done; /* claimed here: no controller will carry it out */
      /* a controller claimed it and is at work on it (a busy one): its answer is the one to print, unless it died */
      buf get = {0};
      cmd_start(&get, 2), cmd_str(&get, "GET"), cmd_str(&get, k_claim.p);
      deadline = now_ms() + ROUND_TRIP_MS;
      if (send_all(&get) < 0 || next_reply(&r, NULL, 0) < 0) goto done;
      char claimant[300] = {0};
      if (r.kind == '$') snprintf(claimant, sizeof claimant, "%.*s", (int)r.len, in.p + r.at);
      int answered = 0, dead = 0;
      for (int waited = 0; waited < TAKEN_WAIT_SECONDS && !answered && !dead; waited++) {
        buf again = {0};
        cmd_start(&again, 3), cmd_str(&again, "BLPOP"), cmd_str(&again, k_answer.p), cmd_str(&again, "1");
        deadline = now_ms() + ROUND_TRIP_MS + 1000;
        if (send_all(&again) < 0 || next_reply(&r, items, 2) < 0) goto done;
        answered = r.kind == '*' && r.num == 2 && items[1].kind == '$';
        if (!answered) dead = holder_dead(claimant);
      }
      if (!answered) {
        /* done again here: a submission as the same job (its `once`), whatever its controller got done of it;
           a scancel or scontrol whose controller died with it is done again (it may have been done already) */
        snprintf(once_, sizeof once_, "%s", id);
        if (dead || read_only(name) || sbatch) goto done;
        say(name, "the controller took the request and did not answer in 30 s; it may have been carried out");
        return 1;
      }
    }
    /* `code \n stderr length \n stderr stdout` (protocol.ts encodeAnswer) */
    char *p = in.p + items[1].at, *end = p + items[1].len;
    char *nl1 = memchr(p, '\n', (size_t)(end - p));
    char *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1)) : NULL;
    if (!nl2) goto done;
    a.code = atoi(p);
    a.errn = (size_t)strtoull(nl1 + 1, NULL, 10);
    if (a.errn > (size_t)(end - nl2 - 1)) goto done;
    a.err = nl2 + 1;
    a.out = a.err + a.errn;
    a.outn = (size_t)(end - a.out);
    if (a.code != NEED) break;
    /* NUL-separated fields, copied out of the reply buffer */
    needtext.n = 0;
    put(&needtext, a.err, a.errn);
    nneeds = 0;
    for (char *f = needtext.p; f <= needtext.p + needtext.n && nneeds < 4096;) {
      needs[nneeds++] = f;
      char *z = memchr(f, 0, (size_t)(needtext.p + needtext.n - f) + 1);
      f = z + 1;
    }
    a.code = DECLINED;
  }

done:
  if (a.code < 0) {
    /* FLOW_SERVED=only: for tests, which must know that the controller answered */
    if (only) {
      say(name, "the controller did not answer");
      return 1;
    }
    fallback(name, asked);
  }
  write_all(2, a.err, a.errn);
  write_all(1, a.out, a.outn);
  return a.code;
}
