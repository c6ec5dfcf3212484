# Build type "ASan": AddressSanitizer plus UndefinedBehaviorSanitizer, with debug info.
set(_flr_san "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g ${_flr_san}" CACHE STRING "C++ flags for ASan builds" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "${_flr_san}" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "${_flr_san}" CACHE STRING "" FORCE)
mark_as_advanced(CMAKE_CXX_FLAGS_ASAN CMAKE_EXE_LINKER_FLAGS_ASAN CMAKE_SHARED_LINKER_FLAGS_ASAN)
