# The footprint report and its targets (ctest label `size`):
#   cmake -DCC=riscv64-unknown-elf-gcc -DSIZE=... -DNM=... -DSRC=<repo> -DOUT=<dir> -P footprint.cmake
# Compiles the library at -Os for rv64imac and rv32imc (no A extension: the
# run queue through the critical section), prints text/data/bss per object,
# links the blink program (blink.c: asserts off, -ffunction-sections,
# --gc-sections), reads sizeof of the executor and task header from probe.c
# by default (at -Os, and at -O2 with its wheel) and in the small
# configuration, and fails when a target is exceeded or when blink links
# pool or join code. docs/porting.md ("Footprint") explains the figures.
# The goals (issue 13) and the budgets this test enforces. A budget is the
# figure measured when it was last lowered plus a little headroom, so growth
# fails here; where a goal is not met yet the report says so (NOT MET), and
# the budget moves down to the goal once the code gets there. Text is what
# `size` calls text: instructions and read-only data (the assert messages,
# strerror's texts), both of which the part's flash has to hold.
set(LIB_TEXT_GOAL 10240)      # the whole library, rv64imac -Os, asserts on
set(LIB_TEXT_BUDGET 9981)     # measured 9,921 (gcc 12): goal met
set(BLINK_TEXT_GOAL 2048)     # blink, rv32imc -Os, asserts off
set(BLINK_TEXT_BUDGET 2048)   # ... bare-metal defaults (no wheel at -Os): measured 2,040, goal met
set(BLINK_SMALL_BUDGET 2048)  # ... small configuration: measured 2,028, goal met
set(EXECUTOR_GOAL 4096)       # sizeof(aexec_executor), bare-metal defaults
set(EXECUTOR_SMALL_GOAL 512)  # sizeof(aexec_executor), the small configuration
# The small configuration: no timer wheel (one pairing heap), one lane, no
# cache-line padding (docs/porting.md has what each option costs and buys).
set(SMALL -DAEXEC_CONFIG_TIMER_WHEEL_LEVELS=0
    -DAEXEC_CONFIG_TIMER_LANES=1 -DAEXEC_CONFIG_CACHE_LINE=0)

include(${SRC}/src/sources.cmake)
set(sources ${AEXEC_CORE_SOURCES} ${AEXEC_TIME_SOURCES} ${AEXEC_SYNC_SOURCES})
set(failures "")

# __FILE__ (in every assert) is spelled from the repository's root, so the
# figures do not depend on where the repository is checked out.
function(cc out src)
  execute_process(COMMAND ${CC} -std=c11 -Os -ffreestanding -fno-tree-loop-distribute-patterns
                          -fmacro-prefix-map=${SRC}/=
                          -Wall -Wextra -Werror -I${SRC}/include ${ARGN} -c ${src} -o ${out}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CC} ${src}: ${err}")
  endif()
endfunction()

# "text data bss" of each file, and the text total in ${prefix}_text.
function(size_table prefix)
  execute_process(COMMAND ${SIZE} ${ARGN} OUTPUT_VARIABLE table)
  message("${table}")
  string(REGEX MATCHALL "\n *[0-9]+" texts "\n${table}")
  set(sum 0)
  foreach(t ${texts})
    string(STRIP "${t}" t)
    math(EXPR sum "${sum} + ${t}")
  endforeach()
  set(${prefix}_text ${sum} PARENT_SCOPE)
endfunction()

function(check what value budget goal)
  if(value GREATER goal)
    set(g "goal ${goal}: NOT MET")
  else()
    set(g "goal ${goal}: met")
  endif()
  if(value GREATER budget)
    message("FAIL: ${what}: ${value} bytes, over the budget of ${budget} (${g})")
    set(failures "${failures};${what}" PARENT_SCOPE)
  else()
    message("ok:   ${what}: ${value} bytes (budget ${budget}, ${g})")
  endif()
endfunction()

# Reads probe.o's array sizes: sizeof_executor, sizeof_task, ...
function(read_probe obj)
  execute_process(COMMAND ${NM} -S -t d ${obj} OUTPUT_VARIABLE syms)
  foreach(name executor task timer sleep)
    string(REGEX MATCH "[0-9]+ 0*([0-9]+) [BbCc] size_of_${name}" m "${syms}")
    set(sizeof_${name} ${CMAKE_MATCH_1} PARENT_SCOPE)
  endforeach()
endfunction()

set(targets "rv64imac lp64 0" "rv32imc ilp32 1")
foreach(t ${targets})
  separate_arguments(t)
  list(GET t 0 march)
  list(GET t 1 mabi)
  list(GET t 2 cs)
  set(flags -march=${march} -misa-spec=2.2 -mabi=${mabi} -mcmodel=medany
      -DAEXEC_CONFIG_RUNQUEUE_CS=${cs})
  set(dir ${OUT}/${march})
  file(MAKE_DIRECTORY ${dir})

  # The library as shipped (asserts on), and the objects the blink links
  # (asserts off, one section per function), by default and small.
  set(objs "")
  set(gc_objs "")
  set(gc_small_objs "")
  foreach(src ${sources})
    get_filename_component(name ${src} NAME_WE)
    cc(${dir}/${name}.o ${SRC}/${src} ${flags} -DAEXEC_CONFIG_ASSERT=1)
    list(APPEND objs ${dir}/${name}.o)
    if(march STREQUAL "rv32imc")
      set(gc -DAEXEC_CONFIG_ASSERT=0 -ffunction-sections -fdata-sections)
      cc(${dir}/${name}.gc.o ${SRC}/${src} ${flags} ${gc})
      cc(${dir}/${name}.gc-small.o ${SRC}/${src} ${flags} ${gc} ${SMALL})
      list(APPEND gc_objs ${dir}/${name}.gc.o)
      list(APPEND gc_small_objs ${dir}/${name}.gc-small.o)
    endif()
  endforeach()
  message("== libaexec at -Os for ${march}/${mabi} (asserts on):")
  size_table(lib ${objs})
  set(insns 0)
  foreach(o ${objs})
    execute_process(COMMAND ${SIZE} -A ${o} OUTPUT_VARIABLE sections)
    string(REGEX MATCHALL "\n\\.text[^ ]* +[0-9]+" ts "${sections}")
    foreach(t ${ts})
      string(REGEX REPLACE ".* " "" t "${t}")
      math(EXPR insns "${insns} + ${t}")
    endforeach()
  endforeach()
  math(EXPR rodata "${lib_text} - ${insns}")
  message("   library text: ${lib_text} bytes (${insns} of instructions, ${rodata} of read-only data)\n")
  if(march STREQUAL "rv64imac")
    check("library text, ${march} -Os" ${lib_text} ${LIB_TEXT_BUDGET} ${LIB_TEXT_GOAL})
  endif()

  cc(${dir}/probe.o ${SRC}/tests/size/probe.c ${flags})
  read_probe(${dir}/probe.o)
  message("   ${march}: sizeof(aexec_task) ${sizeof_task}, sizeof(aexec_timer) ${sizeof_timer}, "
          "sizeof(aexec_sleep) ${sizeof_sleep}, sizeof(aexec_executor) ${sizeof_executor}")
  check("sizeof(aexec_executor), ${march}, defaults at -Os (no wheel)" ${sizeof_executor}
        ${EXECUTOR_GOAL} ${EXECUTOR_GOAL})
  # At any other level the default has a wheel (include/aexec/timer_queue.h).
  cc(${dir}/probe_o2.o ${SRC}/tests/size/probe.c ${flags} -O2)
  read_probe(${dir}/probe_o2.o)
  check("sizeof(aexec_executor), ${march}, defaults at -O2 (wheel)" ${sizeof_executor}
        ${EXECUTOR_GOAL} ${EXECUTOR_GOAL})
  cc(${dir}/probe_small.o ${SRC}/tests/size/probe.c ${flags} ${SMALL})
  read_probe(${dir}/probe_small.o)
  check("sizeof(aexec_executor), ${march}, small configuration" ${sizeof_executor}
        ${EXECUTOR_SMALL_GOAL} ${EXECUTOR_SMALL_GOAL})

  if(march STREQUAL "rv32imc")
    foreach(config default small)
      if(config STREQUAL "small")
        set(extra ${SMALL})
        set(lib ${gc_small_objs})
      else()
        set(extra "")
        set(lib ${gc_objs})
      endif()
      cc(${dir}/blink-${config}.o ${SRC}/tests/size/blink.c ${flags} ${extra}
         -DAEXEC_CONFIG_ASSERT=0 -ffunction-sections -fdata-sections)
      execute_process(COMMAND ${CC} ${flags} -nostdlib -nostartfiles -static -Wl,--gc-sections
                              -Wl,-e,_start -o ${dir}/blink-${config}.elf
                              ${dir}/blink-${config}.o ${lib}
                      RESULT_VARIABLE rc ERROR_VARIABLE err)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "linking blink: ${err}")
      endif()
      message("== blink, ${config} configuration (${march}, -Os, asserts off, --gc-sections):")
      size_table(blink ${dir}/blink-${config}.elf)
      execute_process(COMMAND ${NM} --size-sort -S -t d ${dir}/blink-${config}.elf
                      OUTPUT_VARIABLE largest)
      string(REGEX MATCH "[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n$"
             top "${largest}")
      message("   its largest symbols:\n${top}")
      set(blink_${config} ${blink_text})
      # Blink has no pool and no join: the finish path reaches them only
      # through hooks their own code installs (src/core/hooks.h), so none
      # of pool.c or task_handle.c may be linked.
      string(REGEX MATCHALL "[0-9]+ [0-9]+ [Tt] [^\n]*(pool|join)[^\n]*" linked "${largest}")
      if(linked)
        message("FAIL: blink (${config}) links pool or join code:\n${linked}")
        list(APPEND failures "blink links pool or join code")
      else()
        message("ok:   blink (${config}) links no pool or join code")
      endif()
    endforeach()
    message("   blink text: ${blink_default} bytes by default, ${blink_small} small")
    check("blink text, ${march} -Os, defaults" ${blink_default} ${BLINK_TEXT_BUDGET}
          ${BLINK_TEXT_GOAL})
    check("blink text, ${march} -Os, small configuration" ${blink_small} ${BLINK_SMALL_BUDGET}
          ${BLINK_TEXT_GOAL})
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "footprint targets exceeded:${failures}")
endif()
