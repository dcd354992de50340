# Writes the file IN as a C++ raw string literal to OUT.
file(READ ${IN} content)
file(WRITE ${OUT} "R\"dnnc_abi(${content})dnnc_abi\"\n")
