# Writes vg/version.h (cmake -P, at build time): the project version, plus `git describe
# --always --dirty` when the sources are a git checkout. The header is rewritten only when the
# string changes, so a build with nothing new recompiles nothing.
#
# In: VG_PROJECT_VERSION, VG_SOURCE_DIR, VG_OUT (the header), GIT_EXECUTABLE (may be empty).
set(VG_VERSION_STRING "${VG_PROJECT_VERSION}")
# Only the sources' own repository counts: an unpacked tarball inside some other checkout must
# not take that checkout's commit.
if(GIT_EXECUTABLE AND EXISTS "${VG_SOURCE_DIR}/.git")
    # --no-optional-locks: describe --dirty must not write the index (and race a commit).
    execute_process(
        COMMAND "${GIT_EXECUTABLE}" --no-optional-locks describe --always --dirty
        WORKING_DIRECTORY "${VG_SOURCE_DIR}"
        RESULT_VARIABLE rc
        OUTPUT_VARIABLE describe
        OUTPUT_STRIP_TRAILING_WHITESPACE
        ERROR_QUIET)
    if(rc EQUAL 0 AND describe)
        set(VG_VERSION_STRING "${VG_PROJECT_VERSION} (git ${describe})")
    endif()
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/version.h.in" "${VG_OUT}" @ONLY)
