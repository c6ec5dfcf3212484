# Warnings as an INTERFACE target every flr target links to.
add_library(flr_warnings INTERFACE)
target_compile_options(flr_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives inside libstdc++ string code (GCC bug 105329).
  target_compile_options(flr_warnings INTERFACE -Wno-restrict)
endif()
if(FLR_WERROR)
  target_compile_options(flr_warnings INTERFACE -Werror)
endif()
