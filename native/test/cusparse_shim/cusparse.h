/* The three cusparse.h types that cusparseLt.h needs, for compiling cusparselt_check.cu without
 * the cuSPARSE headers (not part of our toolchain). Values as in CUDA 13's cusparse.h; the check
 * compares cuSPARSELt's own enums and every prototype against our hand declarations. */
#pragma once
typedef enum { CUSPARSE_STATUS_SUCCESS = 0 } cusparseStatus_t;
typedef enum { CUSPARSE_ORDER_COL = 1, CUSPARSE_ORDER_ROW = 2 } cusparseOrder_t;
typedef enum {
    CUSPARSE_OPERATION_NON_TRANSPOSE = 0,
    CUSPARSE_OPERATION_TRANSPOSE = 1,
    CUSPARSE_OPERATION_CONJUGATE_TRANSPOSE = 2
} cusparseOperation_t;
