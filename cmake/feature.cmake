# vg_feature(VAR "what it is" PREFIX P MODULES m1 m2 ... HINT "how to get them")
#
# A feature that needs pkg-config modules. VAR is AUTO (the default), ON or OFF:
#   AUTO  on when every module is found, else off with a line saying what is missing and how to
#         get it (in the configure output and in the feature summary);
#   ON    asked for: a missing module is an error;
#   OFF   off.
# Afterwards VAR is ON or OFF (a normal variable for this directory and those below), and
# PkgConfig::P is the imported target of the modules when it is on.
function(vg_feature var what)
    cmake_parse_arguments(F "" "PREFIX;HINT" "MODULES" ${ARGN})
    set(${var} AUTO CACHE STRING "${what}: ON, OFF or AUTO (on when its libraries are found)")
    set_property(CACHE ${var} PROPERTY STRINGS ON OFF AUTO)
    set(asked $CACHE{${var}})
    set(state OFF)
    set(why "")
    if(asked STREQUAL "AUTO")
        pkg_check_modules(${F_PREFIX} QUIET IMPORTED_TARGET GLOBAL ${F_MODULES})
        if(${F_PREFIX}_FOUND)
            set(state ON)
        else()
            list(JOIN F_MODULES ", " mods)
            set(why " (off: needs ${mods}; ${F_HINT})")
            message(STATUS "${what}: off, ${mods} not found; ${F_HINT}")
        endif()
    elseif(asked)
        pkg_check_modules(${F_PREFIX} QUIET IMPORTED_TARGET GLOBAL ${F_MODULES})
        if(NOT ${F_PREFIX}_FOUND)
            list(JOIN F_MODULES ", " mods)
            message(FATAL_ERROR "${var}=${asked} needs ${mods}: ${F_HINT}, or configure with "
                                "-D${var}=AUTO (off when missing) or -D${var}=OFF")
        endif()
        set(state ON)
    endif()
    string(TOLOWER "${var}" name)
    string(REGEX REPLACE "^vg_" "" name "${name}")
    string(REPLACE "_" "-" name "${name}")
    add_feature_info(${name} state "${what}${why}")
    set(${var} ${state} PARENT_SCOPE)
endfunction()
