# pod_static_executable(NAME SOURCES src... LIBS pod_targets... SYSTEM_LIBS names...)
# A fully static executable for use inside pods. The pod_* libraries are linked by their
# archive files rather than as targets, because their usage requirements name shared
# objects (libarchive.so, libgpgme.so) that `-static` cannot link; only the archive
# members the program uses are pulled in, and those need no such library.
function(pod_static_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;SYSTEM_LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  get_target_property(json_includes nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  if(json_includes)
    target_include_directories(${name} PRIVATE ${json_includes})
  endif()
  set(archives)
  foreach(lib ${ARG_LIBS})
    list(APPEND archives $<TARGET_FILE:${lib}>)
    add_dependencies(${name} ${lib})
  endforeach()
  set(system)
  foreach(lib ${ARG_SYSTEM_LIBS})
    list(APPEND system -l:lib${lib}.a)
  endforeach()
  if(POD_SANITIZE)
    # The sanitizer runtimes cannot be linked statically. These programs run before the
    # chroot (from the stage1 tree, with the host's libraries in view), so a sanitized
    # build links them dynamically; release builds stay static.
    target_link_options(${name} PRIVATE -static-libstdc++)
  else()
    target_link_options(${name} PRIVATE -static)
  endif()
  target_link_libraries(${name} PRIVATE -Wl,--start-group ${archives} ${system} -Wl,--end-group)
endfunction()
