# Builds one man page: cmake -DSCDOC=scdoc -DIN=page.scd -DOUT=page -P scdoc.cmake
# Anything scdoc says fails the build (it stops at the first error, with the line and column),
# and a failed run leaves no page behind that a later build would take as up to date.
execute_process(COMMAND ${SCDOC}
                INPUT_FILE ${IN}
                OUTPUT_FILE ${OUT}.tmp
                ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
    file(REMOVE ${OUT}.tmp ${OUT})
    string(STRIP "${err}" err)
    message(FATAL_ERROR "${IN}: scdoc: ${err} (exit status ${rc}); scdoc(5) describes the syntax")
endif()
file(RENAME ${OUT}.tmp ${OUT})
