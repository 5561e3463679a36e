// LD_PRELOAD for tests/deploy/variables_listed.py: writes the name of every environment variable
// the oeuvre executable itself asks for (getenv called from the binary, CLI11's inlined lookups
// included; not from libpq, libcurl, OpenSSL or libc) to the file named by GETENV_TRACE_FILE.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static FILE* out;
static void note(const char* name, void* caller) {
  Dl_info info;
  if (!dladdr(caller, &info) || info.dli_fname == NULL) return;
  static char self[4096];
  if (!self[0]) { ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1); if (n > 0) self[n] = 0; }
  if (strcmp(info.dli_fname, self) != 0) return;
  if (!out) { char* (*real)(const char*) = dlsym(RTLD_NEXT, "getenv"); const char* path = real("GETENV_TRACE_FILE"); if (!path) return; out = fopen(path, "a"); if (!out) return; }
  fprintf(out, "%s\n", name); fflush(out);
}
char* getenv(const char* name) {
  static char* (*real)(const char*);
  if (!real) real = dlsym(RTLD_NEXT, "getenv");
  note(name, __builtin_return_address(0));
  return real(name);
}
