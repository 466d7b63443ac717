# Warnings as an interface target: everything that links amb_warnings gets
# the same flags; CI turns on -Werror with AMB_WERROR=ON.
add_library(amb_warnings INTERFACE)
target_compile_options(amb_warnings INTERFACE
  -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wno-unused-parameter -Wvla)
if(AMB_WERROR)
  target_compile_options(amb_warnings INTERFACE -Werror)
endif()
if(NOT AMB_SANITIZE AND CMAKE_BUILD_TYPE STREQUAL "Release")
  target_compile_definitions(amb_warnings INTERFACE _FORTIFY_SOURCE=2)
endif()
