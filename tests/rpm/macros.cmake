# %cmake, %cmake_build, %cmake_install and %ctest as Fedora's cmake-rpm-macros define
# them, for building flr.spec on Debian with `rpmbuild --nodeps` (tests/integration/
# test_rpm.py; not shipped). Same options and the same out-of-source build directory
# (%{_vendor}-%{_target_os}-build); compiler flags come from %set_build_flags, or from
# %optflags where the platform has none (Debian's rpm).
%__cmake /usr/bin/cmake
%__ctest /usr/bin/ctest
%_vpath_srcdir .
%_vpath_builddir %{_vendor}-%{_target_os}-build
%__cmake_builddir %{!?__cmake_in_source_build:%{_vpath_builddir}}%{?__cmake_in_source_build:.}
%_cmake_shared_libs -DBUILD_SHARED_LIBS:BOOL=ON
%_cmake_lib_suffix64 -DLIB_SUFFIX=64

%cmake \
  %{?set_build_flags:%set_build_flags}%{!?set_build_flags:CFLAGS="${CFLAGS:-%optflags}"; export CFLAGS; CXXFLAGS="${CXXFLAGS:-%optflags}"; export CXXFLAGS; LDFLAGS="${LDFLAGS:-%{?__global_ldflags}}"; export LDFLAGS;} \
  %__cmake \\\
        -S "%{_vpath_srcdir}" \\\
        -B "%{__cmake_builddir}" \\\
        -DCMAKE_C_FLAGS_RELEASE:STRING="-DNDEBUG" \\\
        -DCMAKE_CXX_FLAGS_RELEASE:STRING="-DNDEBUG" \\\
        -DCMAKE_Fortran_FLAGS_RELEASE:STRING="-DNDEBUG" \\\
        -DCMAKE_VERBOSE_MAKEFILE:BOOL=ON \\\
        -DCMAKE_INSTALL_DO_STRIP:BOOL=OFF \\\
        -DCMAKE_INSTALL_PREFIX:PATH=%{_prefix} \\\
        -DINCLUDE_INSTALL_DIR:PATH=%{_includedir} \\\
        -DLIB_INSTALL_DIR:PATH=%{_libdir} \\\
        -DSYSCONF_INSTALL_DIR:PATH=%{_sysconfdir} \\\
        -DSHARE_INSTALL_PREFIX:PATH=%{_datadir} \\\
%if "%{?_lib}" == "lib64" \
        %{?_cmake_lib_suffix64} \\\
%endif \
        %{?_cmake_shared_libs}

%cmake_build \
  %__cmake --build "%{__cmake_builddir}" %{?_smp_mflags} --verbose

%cmake_install \
  DESTDIR="%{buildroot}" %__cmake --install "%{__cmake_builddir}"

%ctest(:-:) \
  %__ctest --test-dir "%{__cmake_builddir}" --output-on-failure --force-new-ctest-process %{?_smp_mflags} %{**}
