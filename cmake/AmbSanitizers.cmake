# Sanitizer option: -DAMB_SANITIZE=address,undefined builds every target
# with those sanitizers and makes any report fatal.
add_library(amb_sanitizers INTERFACE)
if(AMB_SANITIZE)
  target_compile_options(amb_sanitizers INTERFACE
    -fsanitize=${AMB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(amb_sanitizers INTERFACE -fsanitize=${AMB_SANITIZE})
endif()
