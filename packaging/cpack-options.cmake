# packaging/cpack-options.cmake - read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE).
# The .deb installs where dpkg-built packages go, /usr: the engine compiles in
# <prefix>/share/postguard for its rules, so a tree configured for another prefix would make a
# package whose host finds no rule pack. Refuse it here rather than ship it.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "the .deb must install under /usr, and this build tree is configured for "
                      "${CPACK_PACKAGING_INSTALL_PREFIX}: configure it with "
                      "-DCMAKE_INSTALL_PREFIX=/usr, build, and run cpack -G DEB again")
endif()
