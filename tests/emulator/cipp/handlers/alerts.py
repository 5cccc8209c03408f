"""(phase 2)"""
