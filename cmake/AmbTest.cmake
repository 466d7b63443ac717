# amb_add_test(NAME SOURCE LABEL): one Criterion binary per test file,
# registered with ctest under a label and a timeout.
function(amb_add_criterion_test name source label)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE amb ${CRITERION_LINK_LIBRARIES}
    PkgConfig::SQLITE3 Csv::Csv PkgConfig::GSL PkgConfig::ZMQ PkgConfig::JANSSON PkgConfig::XLSXWRITER PkgConfig::CRYPTO PkgConfig::LIBZIP
    Threads::Threads m)
  target_include_directories(${name} PRIVATE ${CRITERION_INCLUDE_DIRS})
  target_compile_definitions(${name} PRIVATE
    AMB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    AMB_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name} --jobs 1)
  set_tests_properties(${name} PROPERTIES LABELS ${label} TIMEOUT 300
    ENVIRONMENT "AMB_SOURCE_DIR=${PROJECT_SOURCE_DIR};AMB_BINARY=$<TARGET_FILE:ambassador>")
endfunction()
