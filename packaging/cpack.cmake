# packaging/cpack.cmake - the Debian package (`cpack -G DEB` from the build tree) and the
# system-wide browser host manifests it installs. Included by the top CMakeLists.txt.
#
# Configure the package's build tree with -DCMAKE_INSTALL_PREFIX=/usr: the engine compiles in
# <prefix>/share/postguard for its rule pack, and the manifests name <prefix>/libexec/..., so
# the package installs to the prefix the build was configured for.

# The fixed names of docs/protocol.md and extension/manifest.json (the "key" fixes the id).
set(PG_HOST_NAME "ca.postguard.host")
set(PG_EXTENSION_ID "gkfbpcjpnomknlhmihjkfgokmbldcppa")
set(PG_FIREFOX_ID "postguard@postguard.ca")
set(PG_HOST_PATH "${CMAKE_INSTALL_FULL_LIBEXECDIR}/postguard/postguard-host")

# Where each browser reads system-wide host manifests on Linux. Brave has no documented
# system directory; its Linux builds read /etc/opt/brave.com/brave (see docs/deployment.md).
set(PG_CHROMIUM_MANIFEST_DIRS
    /etc/opt/chrome/native-messaging-hosts
    /etc/chromium/native-messaging-hosts
    /etc/opt/edge/native-messaging-hosts
    /etc/opt/brave.com/brave/native-messaging-hosts)
set(PG_FIREFOX_MANIFEST_DIRS /usr/lib/mozilla/native-messaging-hosts)

set(PG_MANIFEST_DIR "${CMAKE_BINARY_DIR}/manifests")
configure_file(${CMAKE_CURRENT_LIST_DIR}/manifests/chromium.json.in
               ${PG_MANIFEST_DIR}/chromium/${PG_HOST_NAME}.json @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/manifests/firefox.json.in
               ${PG_MANIFEST_DIR}/firefox/${PG_HOST_NAME}.json @ONLY)

# The manifests go to fixed paths outside the prefix, in their own component, so that
# packaging/install.sh can install only the program (`--component Unspecified`) and write the
# manifests it chooses itself. Turn this off to keep a plain `cmake --install` out of /etc.
option(PG_INSTALL_BROWSER_MANIFESTS "Install the system-wide browser host manifests" ON)
if(PG_INSTALL_BROWSER_MANIFESTS AND TARGET postguard-host)
  foreach(dir IN LISTS PG_CHROMIUM_MANIFEST_DIRS)
    install(FILES ${PG_MANIFEST_DIR}/chromium/${PG_HOST_NAME}.json DESTINATION ${dir}
            COMPONENT browser-manifests)
  endforeach()
  foreach(dir IN LISTS PG_FIREFOX_MANIFEST_DIRS)
    install(FILES ${PG_MANIFEST_DIR}/firefox/${PG_HOST_NAME}.json DESTINATION ${dir}
            COMPONENT browser-manifests)
  endforeach()
endif()
install(FILES ${CMAKE_SOURCE_DIR}/docs/deployment.md OPTIONAL
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME "postguard")
set(CPACK_PACKAGE_VENDOR "PostGuard")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Warns physicians when a social-media post may breach the CPSM standard")
set(CPACK_PACKAGE_DESCRIPTION
    "PostGuard checks a social-media post, as it is typed, against the CPSM Standard of\n\
Practice: Social Media. This package holds the native-messaging host that the PostGuard\n\
browser extension talks to, the postguard command line, the rule pack, and the host\n\
manifests for Chrome, Chromium, Edge, Brave and Firefox. Post text never leaves the computer.")
set(CPACK_PACKAGE_CONTACT "PostGuard maintainers <postguard@postguard.ca>")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/cpack-options.cmake") # /usr for a .deb
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "web")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # Depends from the binaries' libraries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://postguard.ca")
# Files under /etc are ordinary package files, not conffiles: the manifests are generated, a
# clinic never edits them, and `dpkg -r` must take them away.

include(CPack)
