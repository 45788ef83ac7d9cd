# packaging/windows/mingw-w64.cmake - CMake toolchain for the Windows programs, cross-built on
# Linux with mingw-w64 (Debian: gcc-mingw-w64-x86-64):
#   cmake -B build-win -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake \
#         -DPG_WIN_DEPS=/path/to/prefix -DPG_TESTS=OFF
#   cmake --build build-win      # build-win/postguard-host.exe, build-win/postguard.exe
# PG_WIN_DEPS is a prefix holding PCRE2 (libpcre2-8.a) and cJSON (libcjson.a) built for
# x86_64-w64-mingw32, with their .pc files in lib/pkgconfig: packaging/windows/build-deps.sh
# PREFIX builds one from Debian's source packages (docs/deployment.md); MSYS2's
# mingw-w64-x86_64-pcre2 and -cjson are such a prefix too. build-deps.sh builds PCRE2 with this
# file as well.
# The programs are linked statically: one .exe each, no DLL beside them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(PG_MINGW x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${PG_MINGW}-gcc)
set(CMAKE_RC_COMPILER ${PG_MINGW}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${PG_MINGW} ${PG_WIN_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
