# Installed binaries find libflr wherever it is installed, with no LD_LIBRARY_PATH and no
# ldconfig run: CMake's usual recipe. A prefix whose library directory the linker and the
# loader search anyway (/usr: /usr/lib64 on Fedora, /usr/lib/x86_64-linux-gnu on Debian)
# gets no RPATH at all, so Fedora's check-rpaths stays clean. Any other prefix, /usr/local
# included (Debian's loader searches /usr/local/lib only after ldconfig), gets a RUNPATH
# relative to the binary, "$ORIGIN/../lib", so "cmake --install build --prefix P" works
# for any P. An absolute CMAKE_INSTALL_LIBDIR gets that directory instead.
#
# Sets FLR_INSTALL_RPATH (empty for a system library directory) for the summary.

set(_flr_system_libdirs ${CMAKE_PLATFORM_IMPLICIT_LINK_DIRECTORIES} ${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES})
if(CMAKE_INSTALL_FULL_LIBDIR IN_LIST _flr_system_libdirs)
  set(FLR_INSTALL_RPATH "")
elseif(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FLR_INSTALL_RPATH "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _flr_bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(FLR_INSTALL_RPATH "$ORIGIN/${_flr_bin_to_lib}")
endif()
set(CMAKE_INSTALL_RPATH "${FLR_INSTALL_RPATH}")
# Never the build tree's own paths in an installed file.
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH OFF)
