#!/bin/sh
# cli_links.sh PROGRAM [LIB...] - fails when PROGRAM (the `postguard` CLI) holds the host's framing,
# protocol or sandbox code, or needs libseccomp, or LIB (its CMake link libraries) names either.
prog=$1; shift
# The binary alone would not show a link of the whole host library: the linker keeps only the
# objects used, and gcc's default --as-needed drops libseccomp (not under -fsanitize). So the
# libraries CMake links are checked too.
for lib in "$@"; do
  case $lib in *pgnmh*|*seccomp*) echo "$prog is linked with $lib (links: $*)"; exit 1 ;; esac
done
syms=$(nm "$prog" 2>&1) || { echo "nm cannot read $prog: $syms"; exit 1; }
# what the CLI does run must be there, or a stripped or wrong file would pass with nothing found
for want in pg_check pg_json_write_result pg_jw_str; do
  echo "$syms" | awk '{ print $NF }' | grep -qx "$want" || { echo "$prog has no $want: is it the CLI, unstripped?"; exit 1; }
done
# host/nmh's public names (frame.h, protocol.h, sandbox.h), its static Landlock and seccomp
# functions, and libseccomp's API, defined or only referenced (U)
bad=$(echo "$syms" | awk '{ print $NF }' |
      grep -E '^(pg_frame_|pg_proto_|pg_sandbox_|seccomp_)|landlock' | sort -u)
if [ -n "$bad" ]; then
  echo "$prog holds the host's framing, protocol or sandbox code:"; echo "$bad"; exit 1
fi
# the dynamic section, not ldd: ldd would list what the libraries themselves need as well
needed=$(readelf -d "$prog" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if echo "$needed" | grep -q seccomp; then
  echo "$prog needs libseccomp:"; echo "$needed"; exit 1
fi
echo "$prog: no framing, protocol, sandbox or seccomp symbols; needs $(echo $needed)"
