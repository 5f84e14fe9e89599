/*
 * The few system calls ctr-ts wants and node does not offer, as a Node-API module.
 *
 * - mkfifo(2): without it every FIFO set costs a mkfifo(1) child, and forking node
 *   blocks the event loop for several milliseconds.
 * - exitNow: _exit(2), skipping node's teardown (thread pool and platform shutdown,
 *   about a millisecond) once the CLI has nothing left to write.
 *
 * Built by scripts/build.mjs with the C compiler and node's headers when both are
 * present; src/util/native.ts falls back to node's own ways when the module is missing.
 * Plain Node-API (no node-addon-api), so one build works for every node >= 20.
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* mkfifo(path, mode): 0 on success, else the errno value (positive). */
static napi_value make_fifo(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result;
  char path[4096];
  size_t len = 0;
  uint32_t mode = 0;
  int rc = 0;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) rc = EINVAL;
  else if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) rc = EINVAL;
  /* A path that fills the buffer may have been cut short. */
  else if (len >= sizeof path - 1) rc = ENAMETOOLONG;
  else if (napi_get_value_uint32(env, argv[1], &mode) != napi_ok) rc = EINVAL;
  else if (mkfifo(path, (mode_t)mode) != 0) rc = errno;

  napi_create_int32(env, rc, &result);
  return result;
}

/*
 * exitNow(code): ends the process with `code` at once; returns false, without exiting,
 * when stdin, stdout or stderr is a terminal (node's own exit puts back the terminal
 * modes it changed) or `code` is not a number.
 * Node's exit also puts back the file status flags of stdio: libuv makes a pipe or
 * socket on fd 0-2 non-blocking, and that open file is shared with whoever else writes
 * to it (the rest of a shell pipeline). So those go back to blocking first, as parents
 * hand them over.
 */
static napi_value exit_now(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  int32_t code = 0;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1 &&
      napi_get_value_int32(env, argv[0], &code) == napi_ok && !isatty(0) && !isatty(1) && !isatty(2)) {
    for (int fd = 0; fd <= 2; fd++) {
      struct stat st;
      int flags = fcntl(fd, F_GETFL);
      if (flags == -1 || !(flags & O_NONBLOCK) || fstat(fd, &st) != 0) continue;
      if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    }
    _exit(code & 0xff);
  }
  napi_get_boolean(env, false, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "mkfifo", NAPI_AUTO_LENGTH, make_fifo, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "mkfifo", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "exitNow", NAPI_AUTO_LENGTH, exit_now, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "exitNow", fn) != napi_ok) return NULL;
  return exports;
}
