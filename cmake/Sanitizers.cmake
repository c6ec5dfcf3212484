# Build type "ASan": AddressSanitizer plus UndefinedBehaviorSanitizer, with debug info.
set(_flr_san "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
# The instrumentation makes GCC 12 report maybe-uninitialized inside libstdc++ (std::function,
# std::regex) where nothing is; the regular build keeps the warning.
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g ${_flr_san} -Wno-maybe-uninitialized" CACHE STRING "C++ flags for ASan builds" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "${_flr_san}" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "${_flr_san}" CACHE STRING "" FORCE)
mark_as_advanced(CMAKE_CXX_FLAGS_ASAN CMAKE_EXE_LINKER_FLAGS_ASAN CMAKE_SHARED_LINKER_FLAGS_ASAN)
