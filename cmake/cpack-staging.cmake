# CPACK_PRE_BUILD_SCRIPTS: what Debian wants of a package and `cmake --install` need not do,
# done on the staging tree after the install, before the package is made:
# - man pages gzip-compressed (lintian: uncompressed-manual-page; man reads both);
# - no .comment or .note sections in the programs, as dh_strip does (CPACK_STRIP_FILES has
#   already removed the debug information).
foreach(staging IN ITEMS "${CPACK_TEMPORARY_INSTALL_DIRECTORY}" "${CPACK_TEMPORARY_DIRECTORY}")
    if(NOT staging OR NOT IS_DIRECTORY "${staging}")
        continue()
    endif()
    file(GLOB_RECURSE pages LIST_DIRECTORIES false "${staging}/*/share/man/man*/*")
    foreach(page IN LISTS pages)
        if(page MATCHES "\\.gz$" OR IS_SYMLINK "${page}")
            continue()
        endif()
        # -n: no name or time stamp in the header, so the package is reproducible.
        execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
            message(FATAL_ERROR "gzip ${page} failed")
        endif()
    endforeach()
    file(GLOB programs LIST_DIRECTORIES false "${staging}/*/bin/*")
    find_program(VG_STRIP strip)
    foreach(program IN LISTS programs)
        if(VG_STRIP AND NOT IS_SYMLINK "${program}")
            execute_process(COMMAND "${VG_STRIP}" --remove-section=.comment
                                    --remove-section=.note "${program}")
        endif()
    endforeach()
    break()
endforeach()
